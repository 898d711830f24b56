-- Up Migration

-- Rows imported from elsewhere (e.g. a Stack Exchange dump) remember where they came from: the
-- source's name and the id it had there. Importing again finds them instead of duplicating them;
-- rows written by the api have neither.
alter table users
  add column source text,
  add column external_id bigint,
  add constraint users_source_external_id_check check ((source is null) = (external_id is null));
create unique index users_source_external_id_key on users (source, external_id) where source is not null;

alter table questions
  add column source text,
  add column external_id bigint,
  add constraint questions_source_external_id_check check ((source is null) = (external_id is null));
create unique index questions_source_external_id_key on questions (source, external_id) where source is not null;

alter table answers
  add column source text,
  add column external_id bigint,
  add constraint answers_source_external_id_check check ((source is null) = (external_id is null));
create unique index answers_source_external_id_key on answers (source, external_id) where source is not null;

-- Down Migration
drop index answers_source_external_id_key, questions_source_external_id_key, users_source_external_id_key;
alter table answers drop column external_id, drop column source;
alter table questions drop column external_id, drop column source;
alter table users drop column external_id, drop column source;
