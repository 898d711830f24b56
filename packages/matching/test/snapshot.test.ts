import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerContribution, DEFAULT_MODEL, FEATURES, PeopleIndex, readSnapshot, topK, writeSnapshot } from '../src/index.js';
import { community } from './random-community.js';

// A snapshot read back is the same engine: the same rankings, feature rows and values, and it goes on
// changing as the original would.

const dir = mkdtempSync(join(tmpdir(), 'qr-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshots', () => {
  it('read back, rank, read features and change exactly as the index written', () => {
    const { answers, questions, stats, end } = community(21, 300, 2500);
    const index = new PeopleIndex();
    const half = Math.floor(answers.length / 2);
    const add = (target: PeopleIndex, a: (typeof answers)[number]): void =>
      target.addAnswer(a.userId, a.self ? new Map() : answerContribution(a.question.terms, a.answerTerms, a.at), a);
    for (const a of answers.slice(0, half)) add(index, a);
    index.forget(answers[0]!.userId); // a person with stale, zeroed postings: merged away in the snapshot
    const path = join(dir, 'people.snapshot');
    writeSnapshot(index, path, { takenAt: 123 });
    const { index: read, meta } = readSnapshot(path);
    expect(meta).toEqual({ takenAt: 123 });
    expect(read.size).toEqual(index.size);
    // both go on with the rest of the history (the snapshot's unsettled answers settle as the original's)
    for (const a of answers.slice(half)) {
      add(index, a);
      add(read, a);
    }
    for (const question of questions) {
      const input = { question, stats, now: end, model: DEFAULT_MODEL, exclude: [answers[1]!.userId] };
      expect(read.rank(input)).toEqual(index.rank(input));
      expect(topK(read, input, 20)).toEqual(topK(index, input, 20));
      expect(read.features({ ...input, mu: 10 })).toEqual(index.features({ ...input, mu: 10 }));
    }
    const someone = answers[2]!.userId;
    const row = (i: PeopleIndex): Float64Array => {
      const r = new Float64Array(FEATURES.length);
      i.activity(someone)!.writeFeatures(end, 10, r);
      return r;
    };
    expect(row(read)).toEqual(row(index));
  });

  it('refuses a file that is not a snapshot, or is cut short', () => {
    const path = join(dir, 'not-a-snapshot');
    writeFileSync(path, 'hello');
    expect(() => readSnapshot(path)).toThrow(/not a people snapshot|cut short/);
    const index = new PeopleIndex();
    index.addAnswer(1, new Map([['hop', { expertise: 1, recent: 1, tagRecent: 0 }]]), { at: 0, questionAt: 0, accepted: false, self: false });
    const whole = join(dir, 'whole');
    writeSnapshot(index, whole);
    const bytes = readFileSync(whole);
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    expect(() => readSnapshot(path)).toThrow(/cut short/);
  });
});
