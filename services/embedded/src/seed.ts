import { findUserIdByEmail, type Queryable } from '@qr/db';
import type { Logger } from '@qr/runtime';
import { demoHistory, demoPeople, type DemoKey } from './demo-community.js';

async function post<T>(baseUrl: string, path: string, body: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as T };
}

/**
 * Seeds the demo community through the public API, so its answers flow through the outbox and the
 * matcher's expertise updates like real ones. Skips it when the people already exist. Returns the asker's id.
 */
export async function seedDemoCommunity(baseUrl: string, db: Queryable, log: Logger): Promise<number | undefined> {
  const ids = new Map<DemoKey, number>();
  for (const person of demoPeople) {
    const created = await post<{ id: number }>(baseUrl, '/users', { name: person.name, email: person.email });
    if (created.status === 409) {
      log.info('demo community already seeded');
      return findUserIdByEmail(db, demoPeople.find((p) => p.key === 'asker')?.email ?? '');
    }
    ids.set(person.key, created.json.id);
  }
  for (const item of demoHistory) {
    const question = await post<{ id: number }>(baseUrl, '/questions', { askerId: ids.get(item.asker), title: item.title, body: item.body, tags: item.tags });
    await post(baseUrl, `/questions/${question.json.id}/answers`, { userId: ids.get(item.answerer), body: item.answer });
  }
  log.info({ people: demoPeople.length, answers: demoHistory.length }, 'demo community seeded');
  return ids.get('asker');
}
