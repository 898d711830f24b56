import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { dumpDate, parseTags, readPosts, type SePost } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/small-posts.xml', import.meta.url));

it('streams questions and answers, skipping other post types and reporting malformed rows', async () => {
  const posts: SePost[] = [];
  const malformed: string[] = [];
  let lastProgress = 0;
  for await (const post of readPosts(fixture, { onMalformed: (reason) => malformed.push(reason), onProgress: (read) => (lastProgress = read) })) posts.push(post);
  expect(posts.map((p) => `${p.kind}:${p.id}`)).toEqual(['question:1', 'question:2', 'answer:3', 'answer:4', 'answer:9']);
  expect(malformed).toEqual(['bad Id "x"', 'bad ParentId "" on answer 7', 'bad CreationDate "yesterday" on post 8']);
  expect(posts[0]).toEqual({
    kind: 'question', id: 1, createdAt: '2020-01-01T10:00:00.000', ownerUserId: 10, title: 'Hops for IPA', body: '<p>Which hops for an IPA?</p>',
    tags: ['hops', 'ipa'], acceptedAnswerId: 3, score: 5,
  });
  expect(posts[1]).toMatchObject({ ownerUserId: undefined, tags: ['wine', 'tannins'], acceptedAnswerId: undefined });
  expect(posts[3]).toMatchObject({ kind: 'answer', parentId: 1, score: -1, ownerUserId: 21 });
  expect(lastProgress).toBeGreaterThan(1000);
});

it('parses both tag formats and reads dump dates as UTC', () => {
  expect(parseTags('<hops><dry-hopping>')).toEqual(['hops', 'dry-hopping']);
  expect(parseTags('|Hops|ipa|')).toEqual(['hops', 'ipa']);
  expect(parseTags(undefined)).toEqual([]);
  expect(dumpDate('2020-01-01T10:00:00.000').toISOString()).toBe('2020-01-01T10:00:00.000Z');
});

it('refuses a file that is not XML with a clear error', async () => {
  const notXml = fileURLToPath(new URL('./posts.test.ts', import.meta.url));
  await expect(async () => {
    for await (const _ of readPosts(notXml)) void _;
  }).rejects.toThrow(/is not well-formed XML/);
});
