import { destinationOf, newMessage, topology, type Messages, type MessageType } from '@qr/contracts';
import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { deadLetterQueueName, Headers, MemoryBroker, MemoryTransport } from '@qr/lemur';
import { createLogger } from '@qr/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueDigests, startHydra } from '../src/index.js';
import { smtpMailer, type Mailer } from '../src/mailer.js';
import { TestSmtpServer } from './smtp.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const publicUrl = 'https://answers.example.test';
let db: TestDatabase;
let pool: Pool;
const smtp = new TestSmtpServer();
const broker = new MemoryBroker();
let publisher: MemoryTransport;
let hydra: Awaited<ReturnType<typeof startHydra>>;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  await smtp.start();
  hydra = await startHydra({
    databaseUrl: db.url, transport: new MemoryTransport(broker), log: createLogger('hydra', 'silent'),
    smtpUrl: smtp.url, mailFrom: 'Router <noreply@answers.example.test>', publicUrl, digestIntervalMs: 3_600_000,
    retry: { maxAttempts: 30, initialDelayMs: 100, maxDelayMs: 300 },
  });
  publisher = new MemoryTransport(broker);
  await publisher.connect();
  await publisher.declare(topology);
});
afterAll(async () => {
  await hydra.close();
  await publisher.close();
  broker.shutdown();
  await smtp.stop();
  await pool.end();
  await db.drop();
});

let counter = 0;
const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await pool.query(sql, params)).rows[0] as T;
const person = async (name: string) => {
  const email = `${name.toLowerCase()}.${++counter}@example.test`;
  return { id: (await one<{ id: number }>('insert into users (name, email) values ($1, $2) returning id', [name, email])).id, email, name };
};
const question = async (askerId: number, title: string, body = 'Which hops give the most bitterness?') =>
  (await one<{ id: number }>("insert into questions (asker_id, title, body, tags, matched_at) values ($1, $2, $3, '{hops}', now()) returning id", [askerId, title, body])).id;
const match = (questionId: number, userId: number, rank: number) =>
  pool.query(`insert into question_matches (question_id, user_id, rank, score, reasons) values ($1, $2, $3, 1, '{"terms":["bitter"],"tags":["hops"]}')`, [questionId, userId, rank]);
const answer = async (questionId: number, userId: number, body = 'Boil them for an hour.') =>
  (await one<{ id: number }>('insert into answers (question_id, user_id, body) values ($1, $2, $3) returning id', [questionId, userId, body])).id;
const publish = async <K extends MessageType>(type: K, body: Messages[K], id?: string) => {
  const message = newMessage(type, body, { id });
  await publisher.publish(destinationOf(type), message);
  return message.id;
};
const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const notificationStatus = async (eventId: string) => (await pool.query<{ recipient_id: number; status: string; reason: string | null }>('select recipient_id, status, reason from notifications where event_id = $1 order by recipient_id', [eventId])).rows;

describe('hydra emails people about activity, through a real SMTP server', () => {
  it('tells each matched person about a question they can answer: title, excerpt, why, a link, a way out', async () => {
    const asker = await person('Asker');
    const hops = await person('Hannah');
    const malt = await person('Morag');
    const q = await question(asker.id, 'Bitter <script>alert(1)</script> IPA?', '<p>My IPA is <b>not bitter</b> enough &amp; I boil 30 min.</p>');
    await match(q, hops.id, 1);
    await match(q, malt.id, 2);
    await publish('question.matched', { questionId: q, matches: [{ userId: hops.id, score: 2 }, { userId: malt.id, score: 1 }] });
    await until('two emails', () => smtp.to(hops.email).length === 1 && smtp.to(malt.email).length === 1);
    const [mail] = smtp.to(hops.email);
    expect(mail!.subject).toBe('A question you can answer: Bitter <script>alert(1)</script> IPA?');
    expect(mail!.text).toContain('My IPA is not bitter enough & I boil 30 min.');
    expect(mail!.text).toContain('Why you: you answered questions tagged hops; your answers cover bitter.');
    expect(mail!.text).toContain(`${publicUrl}/questions/${q}`);
    expect(mail!.html).toContain('Bitter &lt;script&gt;alert(1)&lt;/script&gt; IPA?'); // escaped in HTML
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.from?.value[0]).toMatchObject({ name: 'Router', address: 'noreply@answers.example.test' });
    expect(mail!.messageId).toMatch(/^<[0-9a-f]{40}@answers\.example\.test>$/);
    const list = mail!.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } }; // mailparser groups List-* headers
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = String(list.unsubscribe?.url);
    expect(unsubscribe).toMatch(new RegExp(`${publicUrl}/unsubscribe\\?token=[A-Za-z0-9_-]{43}&kind=question_for_you`));
    expect(smtp.to(asker.email)).toHaveLength(0);
  });

  it('tells the asker about a new answer, but nobody about their own answer', async () => {
    const asker = await person('Curious');
    const expert = await person('Expert');
    const q = await question(asker.id, 'Why is my stout sour?');
    const a = await answer(q, expert.id, 'Probably lactobacillus in the fermenter.');
    const own = await answer(q, asker.id, 'Never mind, I cleaned the fermenter.');
    await publish('answer.posted', { answerId: a, questionId: q, userId: expert.id, postedAt: new Date().toISOString() });
    const ownEvent = await publish('answer.posted', { answerId: own, questionId: q, userId: asker.id, postedAt: new Date().toISOString() });
    await until('the email', () => smtp.to(asker.email).length === 1);
    await until('the second event handled', async () => (await pool.query("select 1 from notifications where event_id = $1", [ownEvent])).rowCount === 0 && smtp.to(asker.email).length === 1);
    const [mail] = smtp.to(asker.email);
    expect(mail!.subject).toBe('A new answer to your question: Why is my stout sour?');
    expect(mail!.text).toContain('Expert answered "Why is my stout sour?":');
    expect(mail!.text).toContain('Probably lactobacillus in the fermenter.');
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to(asker.email)).toHaveLength(1);
    expect(smtp.to(expert.email)).toHaveLength(0);
  });

  it('tells answerers when their answer is accepted or voted up (not down)', async () => {
    const asker = await person('Asker3');
    const expert = await person('Expert3');
    const voter = await person('Voter3');
    const q = await question(asker.id, 'Cellar temperature for a tripel?');
    const a = await answer(q, expert.id);
    await publish('answer.accepted', { answerId: a, questionId: q });
    await publish('answer.voted', { answerId: a, userId: voter.id, value: 1 });
    await publish('answer.voted', { answerId: a, userId: voter.id, value: -1 });
    await until('two emails', () => smtp.to(expert.email).length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to(expert.email).map((m) => m.subject).sort()).toEqual([
      'Your answer was accepted: Cellar temperature for a tripel?',
      'Your answer was voted up: Cellar temperature for a tripel?',
    ]);
  });

  it('sends nothing twice when an event is delivered again', async () => {
    const asker = await person('Asker4');
    const expert = await person('Expert4');
    const q = await question(asker.id, 'Redelivered question?');
    await match(q, expert.id, 1);
    const id = await publish('question.matched', { questionId: q, matches: [{ userId: expert.id, score: 1 }] });
    await until('the email', () => smtp.to(expert.email).length === 1);
    await publish('question.matched', { questionId: q, matches: [{ userId: expert.id, score: 1 }] }, id); // the same event again
    await publish('question.matched', { questionId: q, matches: [{ userId: expert.id, score: 1 }] }); // and again, as another relay's copy
    await until('the redelivery handled', async () => broker.depth('hydra.question.matched') === 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(expert.email)).toHaveLength(1);
    expect(await notificationStatus(`question.matched:${q}`)).toEqual([{ recipient_id: expert.id, status: 'sent', reason: null }]);
  });

  it('emails once about one acceptance and one vote up, however often they are published again', async () => {
    const asker = await person('Asker9');
    const expert = await person('Expert9');
    const voter = await person('Voter9');
    const q = await question(asker.id, 'Accepted three times?');
    const a = await answer(q, expert.id);
    for (let i = 0; i < 3; i++) {
      await publish('answer.accepted', { answerId: a, questionId: q });
      await publish('answer.voted', { answerId: a, userId: voter.id, value: 1 });
      await publish('answer.voted', { answerId: a, userId: voter.id, value: -1 }); // taken back, then given again
    }
    await until('two emails', () => smtp.to(expert.email).length >= 2);
    await until('every copy handled', async () => broker.depth('hydra.answer.accepted') === 0 && broker.depth('hydra.answer.voted') === 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(expert.email).map((m) => m.subject).sort()).toEqual([
      'Your answer was accepted: Accepted three times?',
      'Your answer was voted up: Accepted three times?',
    ]);
  });

  it('honours opt-outs on "a question you can answer"; how often one is asked is the matcher\'s to decide, not the emailer\'s', async () => {
    const asker = await person('Asker5');
    const optedOut = await person('Quiet');
    const limited = await person('Busy');
    await pool.query("insert into user_preferences (user_id, opted_out) values ($1, '{question_for_you}')", [optedOut.id]);
    // a daily limit is enforced when asking (services/matcher): an ask that was made is emailed
    await pool.query("insert into user_preferences (user_id, max_asks_per_day) values ($1, 1)", [limited.id]);
    const events: string[] = [];
    for (let i = 0; i < 3; i++) {
      const q = await question(asker.id, `Asked question ${i}`);
      await match(q, optedOut.id, 1);
      await match(q, limited.id, 2);
      await publish('question.matched', { questionId: q, matches: [{ userId: optedOut.id, score: 1 }, { userId: limited.id, score: 1 }] });
      events.push(`question.matched:${q}`);
    }
    await until('all three handled', async () => (await pool.query('select 1 from notifications where event_id = any($1)', [events])).rowCount === 6);
    await until('three emails to the asked person', () => smtp.to(limited.email).length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to(optedOut.email)).toHaveLength(0);
    expect((await notificationStatus(events[0]!)).find((r) => r.recipient_id === optedOut.id)).toMatchObject({ status: 'skipped', reason: 'opted out' });
  });

  it('gathers notifications into one digest email per period', async () => {
    const asker = await person('Asker6');
    const reader = await person('Digest');
    await pool.query("insert into user_preferences (user_id, digest) values ($1, 'hourly')", [reader.id]);
    const events: string[] = [];
    for (const title of ['First digest question', 'Second digest question']) {
      const q = await question(asker.id, title);
      await match(q, reader.id, 1);
      await publish('question.matched', { questionId: q, matches: [{ userId: reader.id, score: 1 }] });
      events.push(`question.matched:${q}`);
    }
    await until('both kept for the digest', async () => (await pool.query("select 1 from notifications where event_id = any($1) and status = 'digest'", [events])).rowCount === 2);
    expect(smtp.to(reader.email)).toHaveLength(0);
    expect(await sendDueDigests(hydra.deps)).toBe(1);
    await until('the digest', () => smtp.to(reader.email).length === 1);
    const [digest] = smtp.to(reader.email);
    expect(digest!.subject).toBe('Your digest: 2 updates');
    expect(digest!.text).toContain('A question you can answer: First digest question');
    expect(digest!.text).toContain('A question you can answer: Second digest question');
    expect(await sendDueDigests(hydra.deps)).toBe(0); // nothing due until the next hour, nothing twice
    expect((await notificationStatus(events[1]!))[0]!.status).toBe('sent');
  });

  it('keeps trying while the SMTP server is down, and then delivers everything exactly once', async () => {
    const asker = await person('Asker7');
    const experts = [await person('Down1'), await person('Down2'), await person('Down3')];
    await smtp.stop();
    for (const expert of experts) {
      const q = await question(asker.id, `Asked while mail was down: ${expert.name}`);
      await match(q, expert.id, 1);
      await publish('question.matched', { questionId: q, matches: [{ userId: expert.id, score: 1 }] });
    }
    await until('intents recorded, none sent', async () => (await pool.query("select 1 from notifications where recipient_id = any($1) and status = 'pending'", [experts.map((e) => e.id)])).rowCount === 3);
    await new Promise((r) => setTimeout(r, 700)); // a few failed attempts
    expect(experts.every((e) => smtp.to(e.email).length === 0)).toBe(true);
    await smtp.start(smtp.port);
    await until('all three delivered', () => experts.every((e) => smtp.to(e.email).length === 1), 20_000);
    await new Promise((r) => setTimeout(r, 700));
    expect(experts.map((e) => smtp.to(e.email).length)).toEqual([1, 1, 1]);
    expect(broker.depth(deadLetterQueueName('hydra.question.matched'))).toBe(0);
  });

  it('dead-letters an event that does not fit its schema, with the reason', async () => {
    await publisher.publish(destinationOf('answer.posted'), {
      id: 'bad', type: 'answer.posted', headers: { [Headers.type]: 'answer.posted' },
      body: '{"answerId":"three","questionId":1,"userId":2,"postedAt":"2026-11-29T00:00:00Z"}',
    });
    await until('the dead letter', () => broker.depth(deadLetterQueueName('hydra.answer.posted')) === 1);
    expect(broker.peek(deadLetterQueueName('hydra.answer.posted'))[0]?.headers[Headers.deadReason]).toMatch(/^rejected: invalid answer.posted: \/answerId/);
  });

  it('sends once when marking the email sent fails after the SMTP server took it (the mark is retried on its own)', async () => {
    const own = await createTestDatabase(adminUrl);
    const ownPool = createPool(own.url, { onError: () => {} });
    const ownBroker = new MemoryBroker();
    const real = smtpMailer(smtp.url, 'Router <noreply@answers.example.test>');
    let faulted = false;
    // right after the first email is accepted, the notifications table is gone for a second
    const mailer: Mailer = {
      describe: 'smtp, then a database fault',
      async send(mail) {
        await real.send(mail);
        if (faulted) return;
        faulted = true;
        await ownPool.query('alter table notifications rename to notifications_away');
        setTimeout(() => void ownPool.query('alter table notifications_away rename to notifications'), 1_500);
      },
      close: () => real.close(),
    };
    const faultyHydra = await startHydra({
      databaseUrl: own.url, transport: new MemoryTransport(ownBroker), log: createLogger('hydra', 'silent'), mailer,
      mailFrom: 'Router <noreply@answers.example.test>', publicUrl, digestIntervalMs: 3_600_000, retry: { maxAttempts: 30, initialDelayMs: 100, maxDelayMs: 300 },
    });
    try {
      const ownOne = async <T>(sql: string, params: unknown[]): Promise<T> => (await ownPool.query(sql, params)).rows[0] as T;
      const asker = (await ownOne<{ id: number }>("insert into users (name, email) values ('A', 'a.fault@example.test') returning id", [])).id;
      const expert = (await ownOne<{ id: number }>("insert into users (name, email) values ('E', 'e.fault@example.test') returning id", [])).id;
      const q = (await ownOne<{ id: number }>("insert into questions (asker_id, title, body, tags, matched_at) values ($1, 'Fault while marking?', 'b', '{}', now()) returning id", [asker])).id;
      await ownPool.query(`insert into question_matches (question_id, user_id, rank, score, reasons) values ($1, $2, 1, 1, '{"terms":[],"tags":[]}')`, [q, expert]);
      const ownPublisher = new MemoryTransport(ownBroker);
      await ownPublisher.connect();
      await ownPublisher.publish(destinationOf('question.matched'), newMessage('question.matched', { questionId: q, matches: [{ userId: expert, score: 1 }] }));
      await until('marked sent', async () => (await ownPool.query("select 1 from notifications where status = 'sent'").catch(() => ({ rowCount: 0 }))).rowCount === 1);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(faulted).toBe(true);
      expect(smtp.to('e.fault@example.test')).toHaveLength(1);
      await ownPublisher.close();
    } finally {
      await faultyHydra.close();
      ownBroker.shutdown();
      await ownPool.end();
      await own.drop();
    }
  });
});
