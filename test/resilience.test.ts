import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from './support/processes.js';
import { waitFor } from './support/queues.js';
import { expertsCounted, seedExperts, TestSystem } from './support/system.js';

/** Worker crashes and restarts under load: every question matched, none matched twice. */
describe('matchers that crash or restart under load', () => {
  const system = new TestSystem();
  let people: { hops: number; wine: number; asker: number };

  beforeAll(async () => {
    await system.setUp();
    await system.startApi();
    const seeding = await system.startMatcher();
    people = await seedExperts(system);
    await expertsCounted(system);
    expect(await seeding.stop()).toBe(0);
  }, 60_000);
  afterAll(() => system.tearDown(), 60_000);

  const ask = async (n: number, label: string): Promise<number[]> => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await system.post('/questions', { askerId: people.asker, title: `${label} ${i}: hops bitterness?`, body: 'hops', tags: ['hops'] })).json.id);
    return ids;
  };

  /** Every question has its matches, and exactly one question.matched was written for each. */
  const expectEachMatchedOnce = async (ids: number[]): Promise<void> => {
    await waitFor(`${ids.length} questions matched`, async () => {
      const { rows } = await system.pool.query<{ n: number }>('select count(*)::int as n from questions where id = any($1) and matched_at is not null', [ids]);
      return rows[0]!.n === ids.length ? true : undefined;
    }, 60_000);
    const { rows } = await system.pool.query<{ questionId: number; n: number }>(
      `select (body::jsonb->>'questionId')::bigint as "questionId", count(*)::int as n from outbox
        where type = 'question.matched' and (body::jsonb->>'questionId')::bigint = any($1) group by 1`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const { rows: firsts } = await system.pool.query<{ n: number }>('select count(*)::int as n from question_matches where question_id = any($1) and rank = 1 and user_id = $2', [ids, people.hops]);
    expect(firsts[0]!.n).toBe(ids.length);
  };

  it('shares the work of one queue fairly between two matchers', async () => {
    const a = await system.startMatcher({ MATCHER_PREFETCH: '5' });
    const b = await system.startMatcher({ MATCHER_PREFETCH: '5' });
    const ids = await ask(80, 'shared');
    await expectEachMatchedOnce(ids);
    const counts = [a, b].map((p) => p.logs.filter((l) => l.msg === 'question matched' && ids.includes(l.questionId as number)).length);
    expect(counts[0]! + counts[1]!).toBe(80);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(20); // each did at least a quarter
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 90_000);

  it('loses nothing and duplicates nothing when a matcher is killed with SIGKILL mid-batch', async () => {
    const doomed = await system.startMatcher({ MATCHER_PREFETCH: '20' });
    const ids = await ask(150, 'kill');
    await waitFor('some questions matched', async () => {
      const { rows } = await system.pool.query<{ n: number }>('select count(*)::int as n from questions where id = any($1) and matched_at is not null', [ids]);
      return rows[0]!.n >= 10 ? true : undefined;
    });
    doomed.signal('SIGKILL');
    expect(await doomed.exited).toBe(null); // killed, not exited
    const { rows } = await system.pool.query<{ n: number }>('select count(*)::int as n from questions where id = any($1) and matched_at is null', [ids]);
    expect(rows[0]!.n).toBeGreaterThan(0); // work really was left in flight or queued
    await system.startMatcher();
    await expectEachMatchedOnce(ids);
  }, 90_000);

  it('loses nothing and duplicates nothing through a rolling restart of two matchers while questions keep coming', async () => {
    const firstA = await system.startMatcher();
    const firstB = await system.startMatcher();
    let a: ServiceProcess = firstA;
    let b: ServiceProcess = firstB;
    const asked: number[] = [];
    let asking = true;
    const load = (async () => {
      for (let round = 0; asking; round++) asked.push(...(await ask(10, `rolling ${round}`)));
    })();
    const codes: (number | null)[] = [];
    await new Promise((r) => setTimeout(r, 500));
    codes.push(await a.stop()); // SIGTERM: drain, then exit
    a = await system.startMatcher();
    await new Promise((r) => setTimeout(r, 500));
    codes.push(await b.stop());
    b = await system.startMatcher();
    await new Promise((r) => setTimeout(r, 500));
    asking = false;
    await load;
    expect(codes).toEqual([0, 0]);
    expect(asked.length).toBeGreaterThan(20);
    await expectEachMatchedOnce(asked);
    // the restart really happened under load: the old ones drained and the new ones took over
    for (const old of [firstA, firstB]) expect(old.logs.some((l) => l.msg === 'shut down cleanly')).toBe(true);
    const matchedBy = (p: ServiceProcess) => p.logs.filter((l) => l.msg === 'question matched').length;
    expect(matchedBy(firstA) + matchedBy(firstB)).toBeGreaterThan(0);
    expect(matchedBy(a) + matchedBy(b)).toBeGreaterThan(0);
    // a graceful stop acks what it committed: no question came back to be matched again
    const redone = [firstA, firstB, a, b].flatMap((p) => p.logs.filter((l) => l.msg === 'question already matched; nothing to do' && asked.includes(l.questionId as number)));
    expect(redone).toEqual([]);
  }, 90_000);

  it('exits at once, with 1, on a second SIGTERM during the drain', async () => {
    for (const p of system.processes) if (p.name === 'matcher') await p.stop(); // the message must go to this one
    const matcher = await system.startMatcher();
    // Hold the question's row so the matcher's handler blocks mid-transaction: a drain with work in it.
    const { json } = await system.post('/questions', { askerId: people.asker, title: 'Stuck: hops?', body: 'hops', tags: ['hops'] });
    const blocker = await system.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select 1 from questions where id = $1 for update', [json.id]);
      await new Promise((r) => setTimeout(r, 1_000)); // the matcher took the message and waits on the lock
      matcher.signal('SIGTERM');
      await matcher.waitForLog((l) => l.msg === 'shutting down: draining');
      await new Promise((r) => setTimeout(r, 300));
      expect(matcher.logs.some((l) => l.msg === 'shut down cleanly')).toBe(false); // still draining
      matcher.signal('SIGTERM');
      expect(await matcher.exited).toBe(1);
      expect(matcher.logs.some((l) => l.msg === 'second signal: exiting now')).toBe(true);
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
    // nothing lost: the next matcher gets the unacked message
    await system.startMatcher();
    await system.waitForMatches(json.id);
  }, 60_000);

  it('maintenance mode answers 503 but does not stop questions already queued from being matched', async () => {
    for (const p of system.processes) if (p.name === 'matcher') await p.stop();
    const { json } = await system.post('/questions', { askerId: people.asker, title: 'Queued before maintenance: hops?', body: 'hops', tags: ['hops'] });
    const admin = { 'content-type': 'application/json', authorization: `Bearer ${TestSystem.adminToken}` };
    const on = await fetch(`${system.apiUrl}/admin/maintenance`, { method: 'PUT', headers: admin, body: JSON.stringify({ enabled: true, message: 'Deploying' }) });
    expect(on.status).toBe(200);
    const refused = await fetch(`${system.apiUrl}/questions`, { method: 'POST', headers: TestSystem.serviceHeaders, body: JSON.stringify({ askerId: people.asker, title: 't', body: 'b' }) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('600');
    await system.startMatcher(); // a matcher started during the maintenance window
    await waitFor('the queued question matched', async () => {
      const { rows } = await system.pool.query('select matched_at from questions where id = $1', [json.id]);
      return rows[0]?.matched_at ? true : undefined;
    });
    await fetch(`${system.apiUrl}/admin/maintenance`, { method: 'PUT', headers: admin, body: JSON.stringify({ enabled: false }) });
    expect((await system.get<{ status: string }>(`/questions/${json.id}/matches`)).json.status).toBe('matched');
  }, 60_000);
});
