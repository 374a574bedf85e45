#!/usr/bin/env bash
# Orders per second of create-buy-order at 16 concurrent clients (wrk, unique idempotency key
# per request) next to pgbench running the same insert + outbox + cap-update transaction on
# the same PostgreSQL at the same concurrency, and their ratio.
# btc-price runs in front of a local static mock of Coinbase (python3 http.server).
# Usage: bench/create_buy_order.sh [SECONDS] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-20}"
CLIENTS="${2:-16}"
PG_SERVER="${PG_SERVER:-postgres://postgres@127.0.0.1:5432}"
DB="bench_create_buy_order_$$"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql "${PG_SERVER}/postgres" -qc "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "${WORK}"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
install_if_missing wrk wrk
install_if_missing psql postgresql-client
install_if_missing pgbench postgresql-contrib
for tool in python3 curl; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

echo "building release binaries"
cargo build --release -q -p btc-price -p create-buy-order

echo "creating ${DB} with the write model's migrations"
psql "${PG_SERVER}/postgres" -qc "CREATE DATABASE ${DB}" >/dev/null
for up in crates/store/migrations/write/*/up.sql; do
    psql "${PG_SERVER}/${DB}" -q -v ON_ERROR_STOP=1 -f "$up" >/dev/null
done

mkdir -p "${WORK}/coinbase/v2"
cp services/btc-price/tests/fixtures/coinbase_exchange_rates.json "${WORK}/coinbase/v2/exchange-rates"
python3 -m http.server 18901 --bind 127.0.0.1 --directory "${WORK}/coinbase" >/dev/null 2>&1 &
PIDS+=($!)

LOG_FORMAT=pretty RUST_LOG=warn HTTP_PORT=18902 COINBASE_API_URL=http://127.0.0.1:18901 \
    KRAKEN_API_URL=http://127.0.0.1:18901 ./target/release/btc-price >"${WORK}/btc-price.log" 2>&1 &
PIDS+=($!)
LOG_FORMAT=pretty RUST_LOG=warn HTTP_PORT=18903 WRITE_DATABASE_URL="${PG_SERVER}/${DB}" \
    DATABASE_POOL_SIZE=32 BTC_PRICE_URL=http://127.0.0.1:18902 BUY_ORDERS_EXCHANGE="bench.buy_orders.$$" \
    ./target/release/create-buy-order >"${WORK}/create-buy-order.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 100); do
    curl -sf http://127.0.0.1:18903/health/live >/dev/null && curl -sf http://127.0.0.1:18902/health/live >/dev/null && break
    sleep 0.1
done

cat >"${WORK}/put.lua" <<'LUA'
-- Keys must differ across wrk's threads: each thread's Lua state gets its own `thread_id`
-- global from setup() (a `local` here would shadow it), and the same random seed.
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end
run_id = os.time() .. "-" .. os.clock()
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"currency": "EUR", "amount": "1.00"}'
function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "bench-" .. run_id .. "-" .. thread_id .. "-" .. counter
  return wrk.format()
end
LUA

echo "warm-up"
wrk -t 2 -c "${CLIENTS}" -d 3s -s "${WORK}/put.lua" http://127.0.0.1:18903/buy_order >/dev/null
before=$(psql "${PG_SERVER}/${DB}" -Atc "SELECT count(*) FROM buy_orders")
echo "wrk: ${CLIENTS} clients, ${DURATION}s, PUT /buy_order"
wrk -t 2 -c "${CLIENTS}" -d "${DURATION}s" -s "${WORK}/put.lua" --latency http://127.0.0.1:18903/buy_order | tee "${WORK}/wrk.txt"
after=$(psql "${PG_SERVER}/${DB}" -Atc "SELECT count(*) FROM buy_orders")
service_rate=$(( (after - before) / DURATION ))

cat >"${WORK}/order.sql" <<'SQL'
BEGIN;
INSERT INTO buy_orders (id, idempotence_key, currency, amount, exchange_rate, bitcoin_amount)
  VALUES (gen_random_uuid(), gen_random_uuid()::text, 'EUR', 1.00, 38123.45, 0.00002624);
INSERT INTO outbox (event_id, event_type, aggregate_id, payload)
  VALUES (gen_random_uuid(), 'buy_order.created', gen_random_uuid(), '{}');
UPDATE btc_cap SET total_btc = total_btc + 0.00002624 WHERE singleton AND total_btc + 0.00002624 <= cap_btc;
COMMIT;
SQL
echo "pgbench: ${CLIENTS} clients, ${DURATION}s, the same transaction"
pgbench -n -c "${CLIENTS}" -j 2 -T "${DURATION}" -f "${WORK}/order.sql" "${PG_SERVER}/${DB}" | tee "${WORK}/pgbench.txt"
pgbench_rate=$(grep -oP 'tps = \K[0-9.]+' "${WORK}/pgbench.txt" | head -1)

total=$(psql "${PG_SERVER}/${DB}" -Atc "SELECT total_btc = (SELECT sum(bitcoin_amount) FROM buy_orders) FROM btc_cap")
echo
echo "create-buy-order: ${service_rate} orders/s (committed rows / ${DURATION}s)"
echo "pgbench:          ${pgbench_rate} transactions/s"
echo "ratio:            $(python3 -c "print(f'{${service_rate} / ${pgbench_rate}:.2f}')")"
echo "cap row equals the sum of orders: ${total}"
