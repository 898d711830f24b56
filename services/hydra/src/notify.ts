import { createHash } from 'node:crypto';
import type { Messages } from '@qr/contracts';
import {
  claimNotification, ensurePreferences, getAnswerDetails, getMatchedQuestionDetails, getUserContact, markNotificationsSent,
  issueUnsubscribeToken, recordNotification, releaseNotification, withTransaction, type NotificationKind, type Pool,
} from '@qr/db';
import { retryUntilDone } from '@qr/runtime';
import { PermanentError, type Log } from '@qr/lemur';
import type { Mailer } from './mailer.js';
import { excerpt, renderNotification, type Payload } from './templates.js';

export interface NotifyDeps {
  pool: Pool;
  mailer: Mailer;
  publicUrl: string;
  /** the domain of Message-IDs, e.g. from MAIL_FROM */
  messageIdDomain: string;
  log: Log;
}

type EventType = 'question.matched' | 'answer.posted' | 'answer.voted' | 'answer.accepted';

/** Who hears about an event, and what they are told. */
export async function recipientsOf(pool: Pool, type: EventType, body: Messages[EventType]): Promise<{ recipientId: number; payload: Payload }[]> {
  if (type === 'question.matched') {
    const { questionId } = body as Messages['question.matched'];
    const q = await getMatchedQuestionDetails(pool, questionId);
    if (!q) throw new PermanentError(`question ${questionId} does not exist`);
    return q.matches
      .filter((m) => m.userId !== q.askerId)
      .map((m) => ({
        recipientId: m.userId,
        payload: { kind: 'question_for_you', questionId, title: q.title, excerpt: excerpt(q.body), reasons: m.reasons as { terms: string[]; tags: string[] } },
      }));
  }
  const { answerId } = body as { answerId: number };
  const a = await getAnswerDetails(pool, answerId);
  if (!a) throw new PermanentError(`answer ${answerId} does not exist`);
  const base = { questionId: a.questionId, title: a.questionTitle };
  if (type === 'answer.posted') {
    // the asker hears about a new answer; never the answerer about their own
    return a.askerId === a.answererId ? [] : [{ recipientId: a.askerId, payload: { kind: 'new_answer', ...base, answererName: a.answererName, excerpt: excerpt(a.body) } }];
  }
  if (type === 'answer.accepted') return a.askerId === a.answererId ? [] : [{ recipientId: a.answererId, payload: { kind: 'answer_accepted', ...base } }];
  const vote = body as Messages['answer.voted'];
  return vote.value === 1 && vote.userId !== a.answererId ? [{ recipientId: a.answererId, payload: { kind: 'answer_voted_up', ...base } }] : [];
}

/**
 * What an event is about, whatever message carried it: the key a person is told about it by, once.
 * A message sent twice (a relay republishing, a retry) or a second message about the same thing (an
 * answer accepted again, a vote up given again after being taken back) has the same key, so it
 * emails nobody a second time.
 */
export function eventKey(type: EventType, body: Messages[EventType]): string {
  if (type === 'question.matched') return `${type}:${(body as Messages['question.matched']).questionId}`;
  if (type === 'answer.voted') {
    const vote = body as Messages['answer.voted'];
    return `${type}:${vote.answerId}:${vote.userId}:${vote.value}`;
  }
  return `${type}:${(body as { answerId: number }).answerId}`;
}

/** A Message-ID that is the same for every attempt at telling this person about this event. */
export function stableMessageId(parts: string[], domain: string): string {
  return `<${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}@${domain}>`;
}

/**
 * An email's links. Its unsubscribe links carry tokens of their own (issueUnsubscribeToken): `kind`'s
 * can stop only that kind of email, `all`'s every kind. Without a kind token (a digest) both stop all.
 */
export function links(publicUrl: string, tokens: { all: string; kind?: { token: string; kind: NotificationKind } }) {
  const base = publicUrl.replace(/\/$/, '');
  const unsubscribeAll = `${base}/unsubscribe?token=${encodeURIComponent(tokens.all)}`;
  const unsubscribe = tokens.kind ? `${base}/unsubscribe?token=${encodeURIComponent(tokens.kind.token)}&kind=${tokens.kind.kind}` : unsubscribeAll;
  return { question: (id: number) => `${base}/questions/${id}`, unsubscribe, unsubscribeAll };
}

/**
 * How long a claimed notification is this attempt's alone (claimNotification): longer than any send
 * can take (the SMTP mailer gives up within SMTP_GIVES_UP_MS). After a crash mid-send, the next
 * attempt takes it over once this has passed.
 */
export const SEND_LEASE_SECONDS = 60;
/** How long marking an email sent is retried on its own before the event is retried instead. */
const MARK_SENT_WITHIN_MS = 60_000;

/**
 * Tells each recipient of an event, each at most once. For every recipient, in one transaction: the
 * preferences decide (opted out: skipped; digest mode: kept for the digest; else to send now) and the
 * intent is recorded, keyed by (what the event is about, recipient): eventKey. Then the row is
 * claimed (pending -> sending, leased), so of two copies of an event handled at once only one sends;
 * the other is retried later and finds it sent. After the SMTP server accepted the email, marking it
 * sent is retried on its own (a database fault there must not send it again). The window that can
 * still repeat an email: a crash, or a database down for longer than MARK_SENT_WITHIN_MS, after the
 * send and before the mark, once the lease has run out; the repeat carries the same Message-ID, so
 * mail systems drop it. An SMTP failure gives the row back and throws: the event is retried with
 * backoff, then dead-lettered with the reason.
 */
export async function notify(deps: NotifyDeps, type: EventType, body: Messages[EventType]): Promise<{ sent: number; skipped: number; digest: number }> {
  const eventId = eventKey(type, body);
  const outcome = { sent: 0, skipped: 0, digest: 0 };
  for (const { recipientId, payload } of await recipientsOf(deps.pool, type, body)) {
    const contact = await getUserContact(deps.pool, recipientId);
    if (!contact) continue;
    const messageId = stableMessageId([eventId, String(recipientId)], deps.messageIdDomain);
    const row = await withTransaction(deps.pool, async (client) => {
      const prefs = await ensurePreferences(client, recipientId);
      let status: 'pending' | 'digest' | 'skipped' = prefs.digest === 'off' ? 'pending' : 'digest';
      let reason: string | undefined;
      // how often a person is asked (their daily limit, pauses, budgets) is the matcher's to decide: it asks someone else
      if (prefs.optedOut.includes(payload.kind)) [status, reason] = ['skipped', 'opted out'];
      return recordNotification(client, { eventId, recipientId, kind: payload.kind, status, reason, payload, messageId });
    });
    if (row.status === 'skipped') outcome.skipped += 1;
    if (row.status === 'digest') outcome.digest += 1;
    if (row.status !== 'pending' && row.status !== 'sending') continue;
    const claim = await claimNotification(deps.pool, row.id, SEND_LEASE_SECONDS);
    if (claim === 'sending') throw new Error(`notification ${row.id} is being sent by another attempt; this event is tried again later`);
    if (claim !== 'claimed') continue; // sent meanwhile
    try {
      const l = links(deps.publicUrl, {
        all: await issueUnsubscribeToken(deps.pool, recipientId, null),
        kind: { token: await issueUnsubscribeToken(deps.pool, recipientId, payload.kind), kind: payload.kind },
      });
      await deps.mailer.send({
        to: contact.email,
        ...renderNotification(payload, contact.name, l),
        messageId: row.messageId,
        headers: { 'List-Unsubscribe': `<${l.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    } catch (error) {
      await releaseNotification(deps.pool, row.id).catch(() => {}); // else its lease runs out
      throw error;
    }
    await retryUntilDone(`marking notification ${row.id} sent`, () => markNotificationsSent(deps.pool, [row.id]), deps.log, AbortSignal.timeout(MARK_SENT_WITHIN_MS));
    outcome.sent += 1;
    deps.log.info({ recipientId, kind: payload.kind, messageId: row.messageId }, 'email sent');
  }
  return outcome;
}
