import { describe, expect, it } from 'vitest';
import { extractTerms } from '../src/index.js';

const surfaces = (q: Parameters<typeof extractTerms>[0]): string[] => [...extractTerms(q).surface.values()];

describe('extractTerms', () => {
  it('strips HTML tags and decodes entities before tokenizing', () => {
    const { terms, surface } = extractTerms({
      title: '',
      body: '<p>Dry <strong>hopping</strong> in a <a href="https://example.com/wine">carboy</a> &amp; keg</p>'
        + '<pre><code>&lt;fermenter&gt;</code></pre><!-- comment vineyard --><p>yeast</p><p>starter</p>',
      tags: [],
    });
    const words = [...surface.values()];
    expect(words).toEqual(expect.arrayContaining(['dry', 'hopping', 'carboy', 'keg', 'fermenter', 'yeast', 'starter']));
    for (const markup of ['strong', 'href', 'https', 'example', 'com', 'wine', 'amp', 'lt', 'gt', 'pre', 'code', 'vineyard', 'comment', 'yeaststarter']) {
      expect(words).not.toContain(markup);
    }
    expect(terms.size).toBe(surface.size);
  });

  it('decodes numeric entities and drops the contraction they spell', () => {
    const words = surfaces({ title: 'Bottling &#8211; I don&#39;t see &#x43;arbonation', body: '', tags: [] });
    expect(words).toEqual(['bottling', 'carbonation']);
  });

  it('drops stopwords, numbers-only and one-character tokens', () => {
    const words = surfaces({ title: 'What is the best way to store a 5 gallon batch for 2024?', body: 'x y z 42 and then 3rd', tags: [] });
    expect(words).toEqual(['best', 'store', 'gallon', 'batch', '3rd']);
  });

  it('stems inflections to one term and keeps the first surface word', () => {
    const { terms, surface } = extractTerms({ title: '', body: 'Hops, hopping and hopped beers', tags: [] });
    expect(terms.get('hop')).toBe(3);
    expect(surface.get('hop')).toBe('hops');
    expect(terms.get('beer')).toBe(1);
    expect([...terms.keys()].sort()).toEqual(['beer', 'hop']);
  });

  it('weighs title words 2 and body words 1, adding up repeats', () => {
    const { terms } = extractTerms({ title: 'Mash temperature', body: 'My mash temperature drops; the mash tun is cold.', tags: [] });
    expect(terms.get('mash')).toBe(2 + 2);
    expect(terms.get('temperatur')).toBe(2 + 1);
    expect(terms.get('tun')).toBe(1);
    expect(terms.get('cold')).toBe(1);
  });

  it('turns tags into tag: terms of weight 3, lowercased, trimmed, once each, without splitting them into words', () => {
    const { terms, surface } = extractTerms({ title: '', body: '', tags: [' Dry-Hopping ', 'IPA', 'ipa', '  '] });
    expect([...terms]).toEqual([['tag:dry-hopping', 3], ['tag:ipa', 3]]);
    expect(surface.get('tag:dry-hopping')).toBe('dry-hopping');
    expect(terms.has('hop')).toBe(false);
  });

  it('returns empty maps for an empty question', () => {
    const { terms, surface } = extractTerms({ title: '  ', body: '<p></p>', tags: [] });
    expect(terms.size).toBe(0);
    expect(surface.size).toBe(0);
  });
});
