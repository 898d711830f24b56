-- Up Migration

-- When what a matcher knows of a person last changed (their answers counted, acceptances, votes:
-- whatever notifies people_changed from the matcher's side). A matcher that starts from a snapshot of
-- its people (MATCHER_SNAPSHOT) reads again everyone changed since the snapshot was taken (less a
-- margin for transactions that were committing then), instead of everyone.
create table people_changes (
  user_id bigint primary key references users (id),
  changed_at timestamptz not null
);
create index people_changes_changed_at_idx on people_changes (changed_at);

-- What a snapshot names as the database it was taken of (a copy of the database keeps it: its people
-- are the same until they change, and changes are tracked above).
create table database_identity (
  singleton boolean primary key default true check (singleton),
  id uuid not null default gen_random_uuid()
);
insert into database_identity default values;

-- Down Migration
drop table database_identity;
drop table people_changes;
