import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const srcDir = new URL('../src/', import.meta.url);

describe('natural', () => {
  it('is imported only through its deep modules, never the package root (which loads mongoose, redis and dotenv)', () => {
    const imports = readdirSync(srcDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .flatMap((f) => [...readFileSync(new URL(f, srcDir), 'utf8').matchAll(/from '(natural[^']*)'/g)].map((m) => m[1]));
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^natural\/lib\/natural\/.+\.js$/);
  });

  it('has every deep module the package imports resolvable and shaped as declared', () => {
    const require = createRequire(import.meta.url);
    const stemmer = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem: (w: string) => string };
    expect(stemmer.stem('hopping')).toBe('hop');
    const { RegexpTokenizer } = require('natural/lib/natural/tokenizers/regexp_tokenizer.js') as { RegexpTokenizer: new (o: { pattern: RegExp }) => { tokenize: (s: string) => string[] } };
    expect(new RegexpTokenizer({ pattern: /\s+/ }).tokenize(' a  b ')).toEqual(['a', 'b']);
    const { words } = require('natural/lib/natural/util/stopwords.js') as { words: string[] };
    expect(words).toContain('the');
    expect(Object.keys(require.cache).some((k) => k.endsWith('/natural/lib/natural/index.js'))).toBe(false);
  });
});
