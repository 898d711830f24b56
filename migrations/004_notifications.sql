-- Up Migration

-- What each person wants to hear about. Created with defaults the first time it is needed.
create table user_preferences (
  user_id bigint primary key references users (id),
  -- kinds of email they opted out of: question_for_you, new_answer, answer_accepted, answer_voted_up
  opted_out text[] not null default '{}',
  -- at most this many "a question you can answer" emails a day
  daily_cap integer not null default 5 check (daily_cap >= 0 and daily_cap <= 1000),
  -- off: each email at once; hourly or daily: gathered into one email per period
  digest text not null default 'off' check (digest in ('off', 'hourly', 'daily')),
  last_digest_at timestamptz,
  -- the capability in unsubscribe links: 32 random bytes, base64url
  unsubscribe_token text not null unique,
  updated_at timestamptz not null default now()
);

-- One row per (event, recipient): the intent is recorded before the send, the send is marked after,
-- so a redelivered or replayed event sends nothing twice.
create table notifications (
  id bigint generated always as identity primary key,
  event_id text not null,
  recipient_id bigint not null references users (id),
  kind text not null,
  -- pending: to send now; digest: waits for the recipient's digest; sent; skipped (reason says why)
  status text not null check (status in ('pending', 'digest', 'sent', 'skipped')),
  reason text,
  payload jsonb not null,
  -- the RFC 5322 Message-ID, derived from (event, recipient): a repeat after a crash carries the same one
  message_id text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (event_id, recipient_id)
);
create index notifications_recipient_kind_created_at_idx on notifications (recipient_id, kind, created_at);
create index notifications_digest_idx on notifications (recipient_id) where status = 'digest';

-- Down Migration
drop table notifications, user_preferences;
