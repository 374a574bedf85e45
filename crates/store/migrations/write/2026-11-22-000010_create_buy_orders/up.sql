-- The write model of BTC buy orders, the running total that enforces the 100 BTC cap,
-- and the transactional outbox of events to publish.
CREATE TABLE buy_orders (
    id              UUID PRIMARY KEY,
    idempotence_key VARCHAR(255)  NOT NULL UNIQUE,
    currency        VARCHAR(3)    NOT NULL CHECK (currency IN ('EUR', 'GBP', 'USD')),
    amount          NUMERIC(12,2) NOT NULL CHECK (amount > 0 AND amount < 1000000000),
    exchange_rate   NUMERIC       NOT NULL CHECK (exchange_rate > 0),
    bitcoin_amount  NUMERIC(18,8) NOT NULL CHECK (bitcoin_amount > 0),
    created_at      TIMESTAMPTZ   NOT NULL DEFAULT now()
);

-- One row: the sum of bitcoin_amount over all orders. Updating it takes a row lock, so
-- concurrent orders from any number of replicas serialise on it; the CHECK is the last guard.
CREATE TABLE btc_cap (
    singleton  BOOLEAN       PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    cap_btc    NUMERIC(18,8) NOT NULL DEFAULT 100,
    total_btc  NUMERIC(18,8) NOT NULL DEFAULT 0,
    CHECK (total_btc >= 0 AND total_btc <= cap_btc)
);
INSERT INTO btc_cap DEFAULT VALUES;

-- Events written in the same transaction as the order; the relay claims unpublished rows
-- with FOR UPDATE SKIP LOCKED and sets published_at after the broker confirms.
CREATE TABLE outbox (
    id             BIGSERIAL   PRIMARY KEY,
    event_id       UUID        NOT NULL UNIQUE,
    event_type     TEXT        NOT NULL,
    aggregate_id   UUID        NOT NULL,
    payload        JSONB       NOT NULL,
    correlation_id TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at   TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
