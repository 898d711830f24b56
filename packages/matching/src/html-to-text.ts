import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';

/** Elements whose content is not text a reader sees. */
const HIDDEN = new Set(['script', 'style']);

/** Decodes HTML entities (numeric and named, as HTML5 defines them); what is not an entity stays as it is. */
export function decodeEntities(text: string): string {
  return decodeHTML(text);
}

/**
 * Plain text of an HTML fragment (a Stack Exchange post body), in one pass of htmlparser2's
 * tokenizer (a state machine: linear in the input, whatever its markup; unclosed tags and
 * comments cost no backtracking). Comments, scripts and styles are dropped, every tag becomes a
 * space (so `<p>a</p><p>b</p>` stays two words), entities are decoded in text only, so escaped
 * markup (`&lt;div&gt;`) survives as text. `chunks` may split the input anywhere: the parser
 * streams, which is what keeps it one pass (the tests feed it one character at a time).
 */
export function htmlToText(html: string | Iterable<string>): string {
  const parts: string[] = [];
  let hidden = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (HIDDEN.has(name)) hidden++;
        parts.push(' ');
      },
      onclosetag(name) {
        if (HIDDEN.has(name) && hidden > 0) hidden--;
        parts.push(' ');
      },
      ontext(text) {
        if (hidden === 0) parts.push(text);
      },
    },
    { decodeEntities: true },
  );
  for (const chunk of typeof html === 'string' ? [html] : html) parser.write(chunk);
  parser.end();
  return parts.join('');
}
