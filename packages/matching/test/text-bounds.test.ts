import porterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_WORD_LENGTH } from '../src/extract-terms.js';
import { extractAnswerTerms, extractTerms, htmlToText } from '../src/index.js';

// Hostile text must cost time linear in its length (issue 17): the mechanisms that make it so, not a clock.
describe('term extraction on hostile text', () => {
  afterEach(() => vi.restoreAllMocks());

  it('cuts an over-long word before the stemmer sees it', () => {
    const stem = vi.spyOn(porterStemmer, 'stem');
    const long = `${'b'.repeat(29_999)}s`;
    const { terms } = extractTerms({ title: long, body: long, tags: [] });
    expect(stem).toHaveBeenCalled();
    for (const [word] of stem.mock.calls) expect((word as string).length).toBeLessThanOrEqual(MAX_WORD_LENGTH);
    expect(terms.size).toBe(1);
    expect([...terms.keys()][0]!.length).toBeLessThanOrEqual(MAX_WORD_LENGTH);
    stem.mockClear();
    extractAnswerTerms(long);
    for (const [word] of stem.mock.calls) expect((word as string).length).toBeLessThanOrEqual(MAX_WORD_LENGTH);
  });

  it('keeps words up to the cap whole', () => {
    const word = 'pneumonoultramicroscopicsilicovolcanoconiosis'.slice(0, MAX_WORD_LENGTH);
    expect(extractTerms({ title: '', body: word, tags: [] }).surface.has(porterStemmer.stem(word))).toBe(true);
  });
});

describe('htmlToText on hostile markup', () => {
  const hostile = ['<a'.repeat(15_000), '<script'.repeat(5_000), '<!--'.repeat(5_000), '<p x="'.repeat(5_000), `${'<b>'.repeat(3_000)}text`];

  it('streams: fed one character at a time it gives what it gives in one piece (one pass, no backtracking)', () => {
    const samples = [
      '<p>Dry <strong>hopping</strong> &amp; keg</p><!-- c --><script>x()</script>yeast',
      'a &lt;div&gt; b <style>.x{}</style> c &#39;d&#x27;',
      ...hostile.map((h) => h.slice(0, 3_000)),
    ];
    for (const sample of samples) expect(htmlToText(sample.split(''))).toBe(htmlToText(sample));
  });

  it('drops tags, comments, scripts and styles, and decodes entities in text only', () => {
    expect(htmlToText('<p>a</p><p>b</p>').split(/\s+/).filter(Boolean)).toEqual(['a', 'b']);
    expect(htmlToText('<!-- c --> d <script>e</script> f <STYLE>g</STYLE> h').split(/\s+/).filter(Boolean)).toEqual(['d', 'f', 'h']);
    expect(htmlToText('x &lt;div&gt; &amp; y')).toBe('x <div> & y');
    for (const h of hostile) expect(htmlToText(h).trim()).toBe(h.endsWith('text') ? 'text' : '');
  });
});
