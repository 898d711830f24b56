import type { Queryable } from './pool.js';

export async function insertUser(db: Queryable, user: { name: string; email: string }): Promise<number> {
  const { rows } = await db.query<{ id: number }>('insert into users (name, email) values ($1, $2) returning id', [user.name, user.email]);
  return (rows[0] as { id: number }).id;
}

export async function userExists(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from users where id = $1', [id]);
  return rowCount === 1;
}

export async function findUserIdByEmail(db: Queryable, email: string): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>('select id from users where lower(email) = lower($1)', [email]);
  return rows[0]?.id;
}

/** People by id, names only (never emails): whom the demo ask page may ask as. */
export async function listPeople(db: Queryable, limit: number): Promise<{ id: number; name: string }[]> {
  const { rows } = await db.query<{ id: number; name: string }>('select id, name from users order by id limit $1', [limit]);
  return rows;
}
