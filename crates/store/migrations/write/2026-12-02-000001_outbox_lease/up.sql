-- The relay claims outbox rows with a lease instead of a transaction held open across broker
-- I/O: a claim sets lease_until (committed at once), the publish runs with no transaction, and
-- a second short transaction marks the row. A row whose lease has expired (its relay crashed
-- or hung) is claimable again. A row whose payload can never be published is parked, so it is
-- never retried forever.
ALTER TABLE outbox
    ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'published', 'parked')),
    ADD COLUMN lease_until TIMESTAMPTZ;
UPDATE outbox SET state = 'published' WHERE published_at IS NOT NULL;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
