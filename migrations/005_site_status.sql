-- Up Migration

-- What the site tells people, shared by every api instance: a planned-maintenance announcement
-- (a message of the day the web app shows) and maintenance mode (503 with a message and Retry-After).
create table site_status (
  singleton boolean primary key default true check (singleton),
  announcement text,
  maintenance boolean not null default false,
  maintenance_message text,
  retry_after_seconds integer not null default 600 check (retry_after_seconds between 1 and 86400),
  updated_at timestamptz not null default now()
);
insert into site_status default values;

-- Down Migration
drop table site_status;
