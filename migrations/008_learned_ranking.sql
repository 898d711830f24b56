-- Up Migration

-- The matcher's score is now a model learned per community (packages/matching, packages/eval).
-- What it reads per (term, person), each forward-decayed from 2010-01-01 (packages/matching/src/decay.ts):
--   weight:       the term's share of the questions they answered (365-day half-life); "a:<stem>" terms:
--                 the share of their own answers' words
--   recent_weight: the same share with a 30-day half-life
--   recent_count:  for tag terms, how many of their answers carried the tag (30-day half-life)
-- An answer counts once, as it was posted (votes and acceptances are features of their own), and an
-- answer to one's own question counts nothing. The old weights mixed in answer scores: they are
-- dropped here and rebuilt by the matcher, which counts every answer that has no contribution row
-- when it starts (services/matcher), or by an import.
truncate user_expertise, answer_contributions;
alter table user_expertise
  add column recent_weight double precision not null default 0,
  add column recent_count double precision not null default 0;
comment on column answer_contributions.quality is '1 once the answer is counted for its author, 0 for an answer to their own question';

-- Fitted models, versioned.
create table ranking_models (
  version bigint generated always as identity primary key,
  created_at timestamptz not null default now(),
  -- { mu, weights: { feature: weight } }
  model jsonb not null,
  -- answered questions it was fitted on, and when its history ends
  questions integer not null check (questions >= 0),
  trained_until timestamptz not null,
  -- { questions, from, methods: { name: { mrr, hit@10, ... } } }: the fit measured on the later part of its history
  validation jsonb,
  note text not null default ''
);
-- The version every matcher ranks with: one row, or none (the default model).
create table active_ranking_model (
  singleton boolean primary key default true check (singleton),
  version bigint not null references ranking_models (version),
  activated_at timestamptz not null default now()
);

-- Ask budgets: what a person asked for. max_asks_per_day replaces daily_cap, which only held back
-- emails after the matcher had asked; now the matcher asks someone else instead. A cap left at the
-- old default (5) was not chosen by anyone and becomes no cap of one's own.
alter table user_preferences
  add column max_asks_per_day integer check (max_asks_per_day between 0 and 1000),
  add column paused_until timestamptz;
update user_preferences set max_asks_per_day = daily_cap where daily_cap <> 5;
alter table user_preferences drop column daily_cap;

-- Down Migration
alter table user_preferences add column daily_cap integer not null default 5 check (daily_cap >= 0 and daily_cap <= 1000);
update user_preferences set daily_cap = max_asks_per_day where max_asks_per_day is not null;
alter table user_preferences drop column paused_until, drop column max_asks_per_day;
drop table active_ranking_model, ranking_models;
truncate user_expertise, answer_contributions;
alter table user_expertise drop column recent_count, drop column recent_weight;
