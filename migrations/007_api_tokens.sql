-- Up Migration

-- Bearer tokens of the api. Only a hash is kept: a token is 32 random bytes, so SHA-256 is enough
-- (nothing to brute-force), and a database dump gives nobody a way in. Scopes: 'service' (the web
-- app: may act for any user), 'user' (may act only as user_id), 'admin' (replay, dead letters,
-- maintenance).
create table api_tokens (
  id bigserial primary key,
  name text not null check (length(name) between 1 and 200),
  scope text not null check (scope in ('service', 'user', 'admin')),
  user_id bigint references users (id) on delete cascade,
  token_hash bytea not null unique,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  check ((scope = 'user') = (user_id is not null))
);

-- Down Migration
drop table api_tokens;
