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

const APOSTROPHE_IN_WORD = /(?<=\p{L})['’](?=\p{L})/gu;
const DIGITS_ONLY = /^\p{N}+$/u;

/** The kept words of a plain text, lowercase and not yet stemmed. */
function words(text: string): string[] {
  const lower = text.toLowerCase().replace(APOSTROPHE_IN_WORD, '');
  return tokenizer.tokenize(lower).filter((word) => word.length > 1 && !DIGITS_ONLY.test(word) && !STOPWORDS.has(word));
}

/** Bodies may be HTML (Stack Exchange dumps): strip tags and decode the common entities first. Lowercase, tokenize, drop stopwords, numbers-only and 1-char tokens, Porter-stem. Tags are lowercased and trimmed. */
export function extractTerms(q: QuestionText): ExtractedTerms {
  const terms: TermWeights = new Map();
  const surface = new Map<string, string>();
  const add = (term: string, weight: number, seen: string): void => {
    terms.set(term, (terms.get(term) ?? 0) + weight);
    if (!surface.has(term)) surface.set(term, seen);
  };
  const addWords = (text: string, weight: number): void => {
    for (const word of words(text)) {
      const stem = porterStemmer.stem(word);
      if (stem.length > 1) add(stem, weight, word);
    }
  };
  addWords(decodeEntities(q.title), TITLE_WORD_WEIGHT);
  addWords(htmlToText(q.body), BODY_WORD_WEIGHT);
  for (const tag of new Set(q.tags.map((t) => t.trim().toLowerCase()))) {
    if (tag !== '') add(TAG_PREFIX + tag, TAG_WEIGHT, tag);
  }
  return { terms, surface };
}
