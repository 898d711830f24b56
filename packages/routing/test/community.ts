import type { Pool } from '@qr/db';
import { countAnswer } from '../src/index.js';

// A small community in a test database: people who answer their topics' questions, over time.

export const topics = [
  { title: 'Dry hopping a stout with Citra hops', tags: ['hops', 'stout'] },
  { title: 'Which yeast for a Belgian tripel', tags: ['yeast', 'belgian'] },
  { title: 'Storing cider in oak barrels', tags: ['cider', 'oak'] },
  { title: 'Serving temperature of a lager', tags: ['lager', 'serving'] },
  { title: 'Gose with salt and coriander', tags: ['gose', 'sour'] },
];

export class Community {
  constructor(private readonly pool: Pool) {}

  private async one<T>(sql: string, params: unknown[] = []): Promise<T> {
    return (await this.pool.query(sql, params)).rows[0] as T;
  }

  async user(name: string): Promise<number> {
    return (await this.one<{ id: number }>('insert into users (name, email) values ($1, $2) returning id', [name, `${name}-${Math.random()}@x.test`])).id;
  }

  async ask(askerId: number, title: string, body: string, tags: string[], daysAgo = 0): Promise<number> {
    return (await this.one<{ id: number }>(
      'insert into questions (asker_id, title, body, tags, created_at) values ($1, $2, $3, $4, now() - make_interval(secs => $5::float8 * 86400)) returning id',
      [askerId, title, body, tags, daysAgo],
    )).id;
  }

  /** An answer, `daysAgo`, counted for its author as the matcher counts it. */
  async answer(questionId: number, userId: number, daysAgo = 0, body = 'an answer'): Promise<number> {
    const { id } = await this.one<{ id: number }>(
      'insert into answers (question_id, user_id, body, created_at) values ($1, $2, $3, now() - make_interval(secs => $4::float8 * 86400)) returning id',
      [questionId, userId, body, daysAgo],
    );
    await countAnswer(this.pool, id);
    return id;
  }
}
