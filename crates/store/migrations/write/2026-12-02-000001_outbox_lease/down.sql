DROP INDEX outbox_pending;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
ALTER TABLE outbox DROP COLUMN lease_until, DROP COLUMN state;
