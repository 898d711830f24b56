import type { Queryable } from './pool.js';

export type NotificationKind = 'question_for_you' | 'new_answer' | 'answer_accepted' | 'answer_voted_up';
export const notificationKinds: readonly NotificationKind[] = ['question_for_you', 'new_answer', 'answer_accepted', 'answer_voted_up'];
export type DigestMode = 'off' | 'hourly' | 'daily';

export interface Preferences {
  userId: number;
  optedOut: NotificationKind[];
  /** at most this many asks (places in a question's matches) a day; null: only the budget their answering earns */
  maxAsksPerDay: number | null;
  /** asked nothing until then */
  pausedUntil: Date | null;
  digest: DigestMode;
}

export interface PreferencesChange {
  optedOut?: NotificationKind[];
  maxAsksPerDay?: number | null;
  pausedUntil?: Date | null;
  digest?: DigestMode;
}

const preferenceColumns = `user_id as "userId", opted_out as "optedOut", max_asks_per_day as "maxAsksPerDay", paused_until as "pausedUntil", digest`;

/** A person's preferences, created with the defaults on first use. */
export async function ensurePreferences(db: Queryable, userId: number): Promise<Preferences> {
  await db.query('insert into user_preferences (user_id) values ($1) on conflict (user_id) do nothing', [userId]);
  const { rows } = await db.query<Preferences>(`select ${preferenceColumns} from user_preferences where user_id = $1`, [userId]);
  return rows[0] as Preferences;
}

/**
 * Changes what is given (a field left out keeps its value; null clears the ask limit or the pause),
 * and tells the matchers (people_changed: asks are theirs to hold back) at commit.
 */
export async function updatePreferences(db: Queryable, userId: number, change: PreferencesChange): Promise<Preferences> {
  await ensurePreferences(db, userId);
  const { rows } = await db.query<Preferences>(
    `update user_preferences
        set opted_out = coalesce($2, opted_out),
            max_asks_per_day = case when $3::boolean then $4::int else max_asks_per_day end,
            paused_until = case when $5::boolean then $6::timestamptz else paused_until end,
            digest = coalesce($7, digest), updated_at = now()
      where user_id = $1 returning ${preferenceColumns}`,
    [userId, change.optedOut ?? null, change.maxAsksPerDay !== undefined, change.maxAsksPerDay ?? null, change.pausedUntil !== undefined, change.pausedUntil ?? null, change.digest ?? null],
  );
  await db.query("select pg_notify('people_changed', $1::text)", [userId]);
  return rows[0] as Preferences;
}

/** The ask limits and pauses people set (`undefined`: everyone who set one), for the matchers. */
export async function loadAskPreferences(db: Queryable, userIds: number[] | undefined): Promise<{ userId: number; maxAsksPerDay: number | null; pausedUntil: number | null }[]> {
  const { rows } = await db.query<{ userId: number; maxAsksPerDay: number | null; pausedUntil: number | null }>(
    `select user_id as "userId", max_asks_per_day as "maxAsksPerDay", (extract(epoch from paused_until) * 1000)::float8 as "pausedUntil"
       from user_preferences
      where (max_asks_per_day is not null or paused_until > now()) and ($1::bigint[] is null or user_id = any($1))`,
    [userIds ?? null],
  );
  return rows;
}

export interface NotificationRow {
  id: number;
  eventId: string;
  recipientId: number;
  kind: NotificationKind;
  /** pending -> sending (claimNotification) -> sent; digest -> sent; skipped (migrations/009) */
  status: 'pending' | 'sending' | 'digest' | 'sent' | 'skipped';
  reason: string | null;
  payload: Record<string, unknown>;
  messageId: string;
}

const notificationColumns = `id, event_id as "eventId", recipient_id as "recipientId", kind, status, reason, payload, message_id as "messageId"`;

/**
 * Records the intent to tell `recipientId` about `eventId`, once: a second call for the same pair
 * returns the row as it is (already sent, skipped, waiting for a digest, or still pending after a crash).
 */
export async function recordNotification(
  db: Queryable,
  n: { eventId: string; recipientId: number; kind: NotificationKind; status: 'pending' | 'digest' | 'skipped'; reason?: string; payload: object; messageId: string },
): Promise<NotificationRow> {
  await db.query(
    `insert into notifications (event_id, recipient_id, kind, status, reason, payload, message_id)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict (event_id, recipient_id) do nothing`,
    [n.eventId, n.recipientId, n.kind, n.status, n.reason ?? null, JSON.stringify(n.payload), n.messageId],
  );
  const { rows } = await db.query<NotificationRow>(`select ${notificationColumns} from notifications where event_id = $1 and recipient_id = $2`, [n.eventId, n.recipientId]);
  return rows[0] as NotificationRow;
}

/**
 * Takes a notification to send it: pending (or sending under a lease that ran out) becomes sending,
 * leased for `leaseSeconds`. Exactly one of several concurrent callers gets 'claimed'; the others get
 * the row's status as it is ('sending' while another holds it, 'sent' once it went out).
 */
export async function claimNotification(db: Queryable, id: number, leaseSeconds: number): Promise<'claimed' | NotificationRow['status']> {
  const { rows } = await db.query<{ outcome: 'claimed' | NotificationRow['status'] }>(
    `with claimed as (
       update notifications set status = 'sending', lease_until = now() + make_interval(secs => $2)
        where id = $1 and (status = 'pending' or (status = 'sending' and lease_until < now()))
        returning 1)
     select case when exists (select 1 from claimed) then 'claimed' else (select status from notifications where id = $1) end as outcome`,
    [id, leaseSeconds],
  );
  return rows[0]?.outcome ?? 'skipped';
}

/** Gives back a claimed notification whose email could not be sent: pending again, for the next attempt. */
export async function releaseNotification(db: Queryable, id: number): Promise<void> {
  await db.query("update notifications set status = 'pending', lease_until = null where id = $1 and status = 'sending'", [id]);
}

export async function markNotificationsSent(db: Queryable, ids: number[]): Promise<void> {
  await db.query("update notifications set status = 'sent', sent_at = now(), lease_until = null where id = any($1::bigint[])", [ids]);
}

/** People whose digest is due (their period has passed since the last one) and who have something waiting; locked for this sender. */
export async function claimDueDigests(db: Queryable, limit: number): Promise<{ userId: number; email: string; name: string }[]> {
  const { rows } = await db.query<{ userId: number; email: string; name: string }>(
    `select p.user_id as "userId", u.email, u.name
       from user_preferences p join users u on u.id = p.user_id
      where p.digest <> 'off'
        and (p.last_digest_at is null or p.last_digest_at < now() - case p.digest when 'hourly' then interval '1 hour' else interval '1 day' end)
        and exists (select 1 from notifications n where n.recipient_id = p.user_id and n.status = 'digest')
      order by p.user_id limit $1
      for update of p skip locked`,
    [limit],
  );
  return rows;
}

export async function listDigestNotifications(db: Queryable, recipientId: number): Promise<NotificationRow[]> {
  const { rows } = await db.query<NotificationRow>(`select ${notificationColumns} from notifications where recipient_id = $1 and status = 'digest' order by id`, [recipientId]);
  return rows;
}

export async function markDigestSent(db: Queryable, recipientId: number): Promise<void> {
  await db.query('update user_preferences set last_digest_at = now() where user_id = $1', [recipientId]);
}

export async function getUserContact(db: Queryable, userId: number): Promise<{ id: number; name: string; email: string } | undefined> {
  const { rows } = await db.query<{ id: number; name: string; email: string }>('select id, name, email from users where id = $1', [userId]);
  return rows[0];
}

export interface MatchedQuestionDetails {
  questionId: number;
  title: string;
  body: string;
  askerId: number;
  matches: { userId: number; reasons: unknown }[];
}

export async function getMatchedQuestionDetails(db: Queryable, questionId: number): Promise<MatchedQuestionDetails | undefined> {
  const { rows } = await db.query<MatchedQuestionDetails>(
    `select q.id as "questionId", q.title, q.body, q.asker_id as "askerId",
            coalesce((select json_agg(json_build_object('userId', m.user_id, 'reasons', m.reasons) order by m.rank)
                        from question_matches m where m.question_id = q.id), '[]') as matches
       from questions q where q.id = $1`,
    [questionId],
  );
  return rows[0];
}

export interface AnswerDetails {
  answerId: number;
  questionId: number;
  questionTitle: string;
  askerId: number;
  answererId: number;
  answererName: string;
  body: string;
}

export async function getAnswerDetails(db: Queryable, answerId: number): Promise<AnswerDetails | undefined> {
  const { rows } = await db.query<AnswerDetails>(
    `select a.id as "answerId", q.id as "questionId", q.title as "questionTitle", q.asker_id as "askerId",
            a.user_id as "answererId", u.name as "answererName", a.body
       from answers a join questions q on q.id = a.question_id join users u on u.id = a.user_id
      where a.id = $1`,
    [answerId],
  );
  return rows[0];
}
