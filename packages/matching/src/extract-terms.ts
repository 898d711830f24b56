// natural ships no types for these deep imports. The reference (not just tsconfig's include) makes the
// declarations travel with this file, so workspaces that type-check @qr/matching's sources see them too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./natural.d.ts" />
import porterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { RegexpTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';
import { words as naturalStopwords } from 'natural/lib/natural/util/stopwords.js';
import { decodeEntities, htmlToText } from './html-to-text.js';
import type { TermWeights } from './term-weights.js';

export interface QuestionText {
  title: string;
  body: string;
  tags: readonly string[];
}

export interface ExtractedTerms {
  /** stemmed word terms and tag terms ("tag:<tag>") -> weight (title words count 2, body words 1, tags 3) */
  terms: TermWeights;
  /** stemmed term -> a readable surface word seen in the text (the first one), for reasons; tag terms map to the tag itself */
  surface: Map<string, string>;
  /** The same terms by where they occur (occurrences, unweighted): each field's evidence is weighed on its own. */
  fields: { title: TermWeights; body: TermWeights; tags: TermWeights };
}

const TITLE_WORD_WEIGHT = 2;
const BODY_WORD_WEIGHT = 1;
const TAG_WEIGHT = 3;
/** The prefix of tag terms: the tag "hops" is the term "tag:hops". */
export const TAG_PREFIX = 'tag:';

/** Contractions once their apostrophe is gone ("don't" -> "dont"): as empty as natural's stopwords. */
const CONTRACTIONS = [
  'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'hasnt', 'havent', 'hadnt', 'cant', 'couldnt',
  'wouldnt', 'shouldnt', 'wont', 'im', 'ive', 'youre', 'youve', 'youd', 'youll', 'theyre', 'theyve', 'thats',
  'whats', 'theres', 'heres', 'lets', 'weve', 'hes', 'shes',
];
const STOPWORDS: ReadonlySet<string> = new Set([...naturalStopwords, ...CONTRACTIONS]);

/** Splits on anything that is not a letter or a digit (Unicode-aware, so "café" stays one word). */
const tokenizer = new RegexpTokenizer({ pattern: /[^\p{L}\p{N}]+/u });

/**
 * Words are cut to this many characters before stemming: no real word is longer, and the Porter
 * stemmer's regular expressions backtrack, so its time grows with the square of a word's length
 * (a 30,000-letter "word" took 4 s). Cut, every step of term extraction is linear in the text.
 */
export const MAX_WORD_LENGTH = 40;

const APOSTROPHE_IN_WORD = /(?<=\p{L})['’](?=\p{L})/gu;
const DIGITS_ONLY = /^\p{N}+$/u;

/** The kept words of a plain text, lowercase and not yet stemmed. */
function words(text: string): string[] {
  const lower = text.toLowerCase().replace(APOSTROPHE_IN_WORD, '');
  const kept: string[] = [];
  for (const token of tokenizer.tokenize(lower)) {
    const word = token.length > MAX_WORD_LENGTH ? token.slice(0, MAX_WORD_LENGTH) : token;
    if (word.length > 1 && !DIGITS_ONLY.test(word) && !STOPWORDS.has(word)) kept.push(word);
  }
  return kept;
}

/** Bodies may be HTML (Stack Exchange dumps): strip tags and decode the common entities first. Lowercase, tokenize, drop stopwords, numbers-only and 1-char tokens, Porter-stem. Tags are lowercased and trimmed. */
export function extractTerms(q: QuestionText): ExtractedTerms {
  const terms: TermWeights = new Map();
  const surface = new Map<string, string>();
  const fields = { title: new Map<string, number>(), body: new Map<string, number>(), tags: new Map<string, number>() };
  const add = (field: TermWeights, term: string, weight: number, seen: string): void => {
    terms.set(term, (terms.get(term) ?? 0) + weight);
    field.set(term, (field.get(term) ?? 0) + 1);
    if (!surface.has(term)) surface.set(term, seen);
  };
  const addWords = (field: TermWeights, text: string, weight: number): void => {
    for (const [stem, word] of stems(text)) add(field, stem, weight, word);
  };
  addWords(fields.title, decodeEntities(q.title), TITLE_WORD_WEIGHT);
  addWords(fields.body, htmlToText(q.body), BODY_WORD_WEIGHT);
  for (const tag of new Set(q.tags.map((t) => t.trim().toLowerCase()))) {
    if (tag !== '') add(fields.tags, TAG_PREFIX + tag, TAG_WEIGHT, tag);
  }
  return { terms, surface, fields };
}

/** A text's Porter stems with the word each came from, in order (repeats included). */
function stems(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const word of words(text)) {
    const stem = porterStemmer.stem(word);
    if (stem.length > 1) out.push([stem, word]);
  }
  return out;
}

/** An answer's own words (HTML body), as stems -> occurrences: what the answer says its author knows. */
export function extractAnswerTerms(body: string): TermWeights {
  const terms: TermWeights = new Map();
  for (const [stem] of stems(htmlToText(body))) terms.set(stem, (terms.get(stem) ?? 0) + 1);
  return terms;
}
