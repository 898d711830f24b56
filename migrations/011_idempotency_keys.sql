-- Up Migration

-- Idempotency-Key on POST: the first result of a (caller, key) is kept for a day, so a client that
-- retries (after a timeout, a dropped connection, a 503) gets it again instead of making a duplicate.
-- response_status null: the first request is still running (for up to a minute; after that it is
-- taken to have died, and the next request with the key runs).
create table idempotency_keys (
  caller text not null,
  key text not null,
  request_hash bytea not null,
  response_status int,
  response_type text,
  response_body text,
  created_at timestamptz not null default now(),
  primary key (caller, key)
);
create index idempotency_keys_created_at_idx on idempotency_keys (created_at);

-- Down Migration
drop table idempotency_keys;
