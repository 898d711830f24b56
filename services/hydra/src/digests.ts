import { claimDueDigests, issueUnsubscribeToken, listDigestNotifications, markDigestSent, markNotificationsSent, withTransaction } from '@qr/db';
import { toError } from '@qr/lemur';
import { links, stableMessageId, type NotifyDeps } from './notify.js';
import { renderDigest } from './templates.js';

/**
 * Sends the digests that are due: for each person in digest mode whose period has passed and who has
 * something waiting, one email with all of it. The person is locked while it is sent (several hydra
 * instances never send the same digest) and everything is marked sent in the same transaction, so a
 * failed send leaves it all waiting for the next run. Returns how many digests went out.
 */
export async function sendDueDigests(deps: NotifyDeps, limit = 50): Promise<number> {
  return withTransaction(deps.pool, async (client) => {
    const due = await claimDueDigests(client, limit);
    for (const person of due) {
      const items = await listDigestNotifications(client, person.userId);
      if (items.length === 0) continue;
      const l = links(deps.publicUrl, { all: await issueUnsubscribeToken(client, person.userId, null) });
      await deps.mailer.send({
        to: person.email,
        ...renderDigest(items, person.name, l),
        messageId: stableMessageId(['digest', String(person.userId), ...items.map((i) => String(i.id))], deps.messageIdDomain),
        headers: { 'List-Unsubscribe': `<${l.unsubscribeAll}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      await markNotificationsSent(client, items.map((i) => i.id));
      await markDigestSent(client, person.userId);
      deps.log.info({ recipientId: person.userId, items: items.length }, 'digest sent');
    }
    return due.length;
  });
}

/** Runs sendDueDigests every `intervalMs` until stopped. */
export function startDigestLoop(deps: NotifyDeps, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => sendDueDigests(deps)).catch((error: unknown) => deps.log.warn({ err: toError(error) }, 'digest run failed; will try again'));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
