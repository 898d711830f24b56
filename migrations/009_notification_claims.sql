-- Up Migration

-- A notification to send now goes pending -> sending -> sent. Only the one attempt that moves it to
-- sending (a lease until lease_until) sends it; a second copy of the event, handled at the same moment
-- by another consumer, finds it sending and waits. An attempt that fails to send puts it back to
-- pending; one that died holding it leaves a lease that runs out, and the next attempt takes it over
-- (its email carries the same Message-ID). Digest items go digest -> sent; skipped is final.
alter table notifications drop constraint notifications_status_check;
alter table notifications
  add constraint notifications_status_check check (status in ('pending', 'sending', 'digest', 'sent', 'skipped')),
  add column lease_until timestamptz;

-- Down Migration
update notifications set status = 'pending', lease_until = null where status = 'sending';
alter table notifications drop constraint notifications_status_check;
alter table notifications
  drop column lease_until,
  add constraint notifications_status_check check (status in ('pending', 'digest', 'sent', 'skipped'));
