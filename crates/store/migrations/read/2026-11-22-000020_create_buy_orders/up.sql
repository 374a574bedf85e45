-- The read model: orders shaped for newest-first keyset pagination on (created_at, id).
CREATE TABLE buy_orders (
    id             UUID          PRIMARY KEY,
    currency       VARCHAR(3)    NOT NULL,
    amount         NUMERIC(12,2) NOT NULL,
    exchange_rate  NUMERIC       NOT NULL,
    bitcoin_amount NUMERIC(18,8) NOT NULL,
    created_at     TIMESTAMPTZ   NOT NULL,
    applied_at     TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX buy_orders_newest_first ON buy_orders (created_at DESC, id DESC);
