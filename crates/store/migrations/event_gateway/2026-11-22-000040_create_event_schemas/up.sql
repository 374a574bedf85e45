-- Every version of every registered JSON Schema, per client and event.
CREATE TABLE event_schemas (
    client     VARCHAR(64) NOT NULL CHECK (client ~ '^[A-Za-z0-9_-]{1,64}$'),
    event      VARCHAR(64) NOT NULL CHECK (event ~ '^[A-Za-z0-9_-]{1,64}$'),
    version    INTEGER     NOT NULL CHECK (version >= 1),
    schema     JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (client, event, version)
);
