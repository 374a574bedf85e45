DROP TABLE outbox; DROP TABLE btc_cap; DROP TABLE buy_orders;
