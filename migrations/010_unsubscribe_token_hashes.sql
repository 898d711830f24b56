-- Up Migration

-- Unsubscribe links carry a token; only its SHA-256 is stored (as API tokens are). Each email gets
-- tokens of its own: one scoped to the kind of email it is (it can stop only that kind) and one for
-- every kind. They expire after a year. The old plain tokens (one per person, for every kind) become
-- hashed tokens for every kind, so links in emails already sent keep working for a year.
create table unsubscribe_tokens (
  hash bytea primary key,
  user_id bigint not null references users (id) on delete cascade,
  -- the one kind this token may stop; null: every kind
  kind text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index unsubscribe_tokens_expires_at_idx on unsubscribe_tokens (expires_at);
insert into unsubscribe_tokens (hash, user_id, kind, expires_at)
  select sha256(convert_to(unsubscribe_token, 'UTF8')), user_id, null, now() + interval '1 year' from user_preferences;
alter table user_preferences drop column unsubscribe_token;

-- Down Migration
-- the hashes cannot be turned back into tokens: links sent since the up migration stop working
alter table user_preferences add column unsubscribe_token text unique;
update user_preferences set unsubscribe_token = md5(random()::text || user_id::text) || md5(random()::text) where unsubscribe_token is null;
alter table user_preferences alter column unsubscribe_token set not null;
drop table unsubscribe_tokens;
