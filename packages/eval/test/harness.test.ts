import type { SeAnswer, SeQuestion } from '@qr/stackexchange';
import { describe, expect, it } from 'vitest';
import { buildDataset, CommunityReplay, evaluate, gini, mostAnswersRanker, pairedBootstrap, recentAnswersRanker, scoreRanking, tagOverlapRanker } from '../src/index.js';

const q = (id: number, createdAt: string, owner: number | undefined, tags: string[], acceptedAnswerId?: number): SeQuestion => ({
  kind: 'question', id, createdAt, ownerUserId: owner, title: `question ${id} about ${tags.join(' ')}`, body: tags.join(' '), tags, acceptedAnswerId, score: 0,
});
const a = (id: number, parentId: number, createdAt: string, owner: number | undefined): SeAnswer => ({ kind: 'answer', id, parentId, createdAt, ownerUserId: owner, body: 'answer', score: 0 });

// Five questions; the cut is the 5th by date (floor(0.8 * 5) = 4), so two test questions qualify:
// q5 (answered by 30 and 20) and q6 (answered by its own asker only: not a test question).
const questions = [
  q(1, '2020-01-01T00:00:00.000', 1, ['hops']),
  q(2, '2020-02-01T00:00:00.000', 1, ['wine']),
  q(3, '2020-03-01T00:00:00.000', 1, ['hops']),
  q(4, '2020-06-01T00:00:00.000', 2, ['hops']),
  q(5, '2020-07-01T00:00:00.000', 1, ['hops'], 104),
  q(6, '2020-07-02T00:00:00.000', 40, ['wine']),
];
const answers = [
  a(101, 1, '2020-01-02T00:00:00.000', 10), // 10: two hops answers, long ago
  a(102, 3, '2020-03-02T00:00:00.000', 10),
  a(103, 2, '2020-02-02T00:00:00.000', 20), // 20: wine, long ago; then hops, recently
  a(105, 4, '2020-06-02T00:00:00.000', 20),
  a(106, 4, '2020-06-03T00:00:00.000', 30), // 30: one hops answer, recently
  a(104, 5, '2020-07-01T01:00:00.000', 30), // the test question's answers (after it was asked)
  a(107, 5, '2020-07-01T02:00:00.000', 20),
  a(108, 6, '2020-07-03T00:00:00.000', 40),
  a(109, 1, '2020-01-03T00:00:00.000', undefined), // no owner: ignored
];
const dataset = buildDataset(questions, answers);

describe('the protocol', () => {
  it('splits at the last 20% of questions and keeps those answered by someone other than the asker', () => {
    expect(dataset.cut).toBe('2020-07-01T00:00:00.000');
    expect(dataset.test.map((x) => x.id)).toEqual([5]);
    expect(dataset.answers).toHaveLength(8);
  });

  it('computes every metric as defined, here by hand', () => {
    // candidates before q5: 10, 20, 30 (asker 1 never answered). Relevant: {30, 20}; accepted: 104 by 30.
    // most answers: 10 (2), 20 (2), 30 (1) -> ties in text order of ids: [10, 20, 30]: first hit at rank 2
    const most = evaluate(dataset, mostAnswersRanker).metrics;
    expect(most.mrr).toBeCloseTo(1 / 2);
    expect(most['p@1']).toBe(0);
    expect(most['p@5']).toBeCloseTo(2 / 5);
    expect(most['r@10']).toBe(1);
    expect(most['hit@10']).toBe(1);
    expect(most['acc_hit@10']).toBe(1);
    // recent (90 days before 2020-07-01): 20 (1), 30 (1), 10 (0): ties by all-time answers -> [20, 30, 10]
    expect(evaluate(dataset, recentAnswersRanker).metrics.mrr).toBe(1);
    // tag overlap on 'hops': 10 (2), 20 (1), 30 (1) -> [10, 20, 30]
    expect(evaluate(dataset, tagOverlapRanker).metrics['p@1']).toBe(0);
  });

  it('measures load concentration with the Gini coefficient', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 12])).toBeCloseTo(0.75);
    expect(gini([])).toBe(0);
    const r = scoreRanking([3, 1, 2], new Set([2]), 2);
    expect(r).toMatchObject({ reciprocalRank: 1 / 3, precisionAt1: 0, hitAt10: 1, acceptedHitAt10: 1, answerable: true });
  });

  it('gives a bootstrap interval around the paired difference, and nothing for identical methods', () => {
    expect(pairedBootstrap([1, 0.5, 0], [1, 0.5, 0])).toEqual({ difference: 0, low: 0, high: 0 });
    const better = pairedBootstrap([1, 1, 1, 1, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5], 2000);
    expect(better.difference).toBeCloseTo(0.4);
    expect(better.low).toBeGreaterThan(0);
    expect(better.high).toBeLessThanOrEqual(0.5);
  });

  it('replays the matcher on what was known at each question only', () => {
    const replay = new CommunityReplay(dataset);
    const moment = replay.at(dataset.test[0]!);
    expect([...moment.candidates].sort()).toEqual([10, 20, 30]); // everyone who answered before
    const { userIds } = replay.features(moment);
    expect(userIds.sort()).toEqual([10, 20, 30]); // 40 only answers later; the asker (1) never
    expect(replay.index.activity(40)).toBeUndefined();
    expect(replay.index.activity(30)?.answers).toBe(1); // 104 (30's answer to q5) comes after q5
  });
});
