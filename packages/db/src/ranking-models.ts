import type { Queryable } from './pool.js';

export interface RankingModelRow {
  version: number;
  createdAt: Date;
  /** { mu, weights } as packages/matching's RankingModel; parsed and checked by its reader */
  model: unknown;
  questions: number;
  trainedUntil: Date;
  validation: unknown;
  note: string;
  active: boolean;
}

const columns = `m.version, m.created_at as "createdAt", m.model, m.questions, m.trained_until as "trainedUntil", m.validation, m.note,
  (a.version is not null) as active`;
const from = 'ranking_models m left join active_ranking_model a on a.version = m.version';

/** Stores a fitted model, inactive. Returns its version. */
export async function insertRankingModel(
  db: Queryable,
  m: { model: unknown; questions: number; trainedUntil: Date; validation: unknown; note: string },
): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    'insert into ranking_models (model, questions, trained_until, validation, note) values ($1, $2, $3, $4, $5) returning version',
    [JSON.stringify(m.model), m.questions, m.trainedUntil, m.validation === undefined ? null : JSON.stringify(m.validation), m.note],
  );
  return (rows[0] as { version: number }).version;
}

/** Every stored model, newest first. */
export async function listRankingModels(db: Queryable): Promise<RankingModelRow[]> {
  const { rows } = await db.query<RankingModelRow>(`select ${columns} from ${from} order by m.version desc`);
  return rows;
}

export async function getRankingModel(db: Queryable, version: number): Promise<RankingModelRow | undefined> {
  const { rows } = await db.query<RankingModelRow>(`select ${columns} from ${from} where m.version = $1`, [version]);
  return rows[0];
}

/** The model the matchers rank with; undefined while none was activated (they use the default). */
export async function getActiveRankingModel(db: Queryable): Promise<RankingModelRow | undefined> {
  const { rows } = await db.query<RankingModelRow>(`select ${columns} from ${from} where a.version is not null`);
  return rows[0];
}

/**
 * Makes a version the active one and tells every matcher (LISTEN ranking_model_changed), in one
 * statement: the notification is delivered at commit, with the version. False for an unknown version.
 */
export async function activateRankingModel(db: Queryable, version: number): Promise<boolean> {
  const { rows } = await db.query<{ activated: number }>(
    `with activated as (
       insert into active_ranking_model (singleton, version) select true, version from ranking_models where version = $1
       on conflict (singleton) do update set version = excluded.version, activated_at = now()
       returning version, pg_notify('ranking_model_changed', version::text)
     )
     select count(*)::int as activated from activated`,
    [version],
  );
  return rows[0]?.activated === 1;
}
