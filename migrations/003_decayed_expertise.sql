-- Up Migration

-- Expertise decays with age. answer_contributions.quality and user_expertise.weight are now stored
-- forward-decayed: value * exp(ln 2 / 365 * days from 2010-01-01 to the answer), so that an old answer
-- counts less than a new one while the common factor cancels in a person's term distribution
-- (packages/matching/src/live-scoring.ts). Existing rows are rescaled: each contribution exactly,
-- each person's term weights by their answers' average growth (close, and only for data written
-- before this migration).
with growth as (
  select c.user_id,
         sum(c.quality * exp(ln(2) / 365 * extract(epoch from a.created_at - timestamptz '2010-01-01 00:00:00+00') / 86400))
           / nullif(sum(c.quality), 0) as factor
    from answer_contributions c join answers a on a.id = c.answer_id
   group by c.user_id
)
update user_expertise e set weight = e.weight * g.factor from growth g where g.user_id = e.user_id and g.factor is not null;

update answer_contributions c
   set quality = c.quality * exp(ln(2) / 365 * extract(epoch from a.created_at - timestamptz '2010-01-01 00:00:00+00') / 86400)
  from answers a where a.id = c.answer_id;

-- Load balancing reads how often each person was asked lately.
create index question_matches_user_id_created_at_idx on question_matches (user_id, created_at);

-- Down Migration
drop index question_matches_user_id_created_at_idx;
update answer_contributions c
   set quality = c.quality / exp(ln(2) / 365 * extract(epoch from a.created_at - timestamptz '2010-01-01 00:00:00+00') / 86400)
  from answers a where a.id = c.answer_id;
