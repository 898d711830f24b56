// Types for the few deep `natural` modules this package loads. Importing the package root ('natural')
// loads everything (mongoose, redis, dotenv, ...), so only these CommonJS files are imported.

declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  interface PorterStemmer {
    /** Porter-stems one lowercase word; words shorter than 3 characters come back unchanged. */
    stem(token: string): string;
  }
  const porterStemmer: PorterStemmer;
  export default porterStemmer;
}

declare module 'natural/lib/natural/tokenizers/regexp_tokenizer.js' {
  export interface RegexpTokenizerOptions {
    /** With gaps (the default), the pattern matches the separators between tokens. */
    pattern?: RegExp;
    gaps?: boolean;
  }
  export class RegexpTokenizer {
    constructor(options?: RegexpTokenizerOptions);
    tokenize(text: string): string[];
  }
}

declare module 'natural/lib/natural/util/stopwords.js' {
  /** natural's English stopword list (lowercase), single letters and digits included. */
  export const words: readonly string[];
}
