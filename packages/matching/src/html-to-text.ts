const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"], ['nbsp', ' '],
  ['ndash', '–'], ['mdash', '—'], ['hellip', '…'], ['lsquo', '‘'], ['rsquo', '’'], ['ldquo', '“'], ['rdquo', '”'],
  ['laquo', '«'], ['raquo', '»'], ['middot', '·'], ['bull', '•'], ['times', '×'], ['deg', '°'],
  ['copy', '©'], ['reg', '®'], ['trade', '™'], ['euro', '€'], ['pound', '£'], ['cent', '¢'],
]);

function codePointToString(codePoint: number): string {
  const valid = Number.isInteger(codePoint) && codePoint > 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);
  return valid ? String.fromCodePoint(codePoint) : ' ';
}

/** Decodes numeric (`&#39;`, `&#x27;`) and the common named entities; unknown ones are left as they are. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (entity: string, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return codePointToString(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return codePointToString(Number.parseInt(name.slice(1), 10));
    return NAMED_ENTITIES.get(name.toLowerCase()) ?? entity;
  });
}

/**
 * Plain text of an HTML fragment (a Stack Exchange post body): comments, scripts and styles are
 * removed, every other tag becomes a space (so `<p>a</p><p>b</p>` stays two words), then entities
 * are decoded. Decoding comes last so that escaped markup (`&lt;div&gt;`) survives as text.
 */
export function htmlToText(html: string): string {
  const withoutTags = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<\/?[a-zA-Z][^>]*>/g, ' ');
  return decodeEntities(withoutTags);
}
