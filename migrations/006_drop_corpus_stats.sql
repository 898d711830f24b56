-- Up Migration

-- The number of documents for IDF is now read from question_terms itself (Postgres's estimate once
-- large): a single counter row updated by every match serialised the matchers' transactions.
drop table corpus_stats;

-- Down Migration
create table corpus_stats (
  singleton boolean primary key default true check (singleton),
  documents integer not null
);
insert into corpus_stats (documents) select count(*) from question_terms;
