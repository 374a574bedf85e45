#!/usr/bin/env bash
# Benchmark of fetch-buy-orders' keyset pagination: loads 1,000,000 orders into a scratch read
# model (groups of three share a created_at), then times page 1 and a page about 900,000 rows
# deep through HTTP (the deep page's last_reference is fetched once, then only the request is
# timed), next to the same page read with OFFSET 900000 through psql/pgbench. Prints the
# deep/first ratio of both. Goal: at most 1.2 for ours.
#
# Usage: bench/fetch_buy_orders.sh   (ROWS=1000000 DEPTH=900000 RUNS=200 PORT=18778 by default;
# SKIP_BUILD=1 uses the binary already built;
# PROFILE=debug uses target/debug)
# Needs the local PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432); installs
# pgbench from Debian's packages when it is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-release}" # or debug (faster to build, slower to run)
ROWS="${ROWS:-1000000}"
DEPTH="${DEPTH:-900000}"
RUNS="${RUNS:-200}"
LIMIT="${LIMIT:-20}"
PORT="${PORT:-18778}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
BENCH_DB="fetch_buy_orders_bench"
BASE_URL="http://127.0.0.1:$PORT"
export PGOPTIONS="-c client_min_messages=warning"
WORK="$(mktemp -d)"
SERVICE_PID=""

cleanup() {
    if [[ -n "$SERVICE_PID" ]]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
install_if_missing pgbench postgresql-contrib

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    echo "== building fetch-buy-orders ($PROFILE)"
    if [[ "$PROFILE" == "release" ]]; then cargo build --release -q -p fetch-buy-orders; else cargo build -q -p fetch-buy-orders; fi
fi

echo "== fresh database $BENCH_DB with the read-model migrations and $ROWS orders"
psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" >/dev/null
psql -q "$PG_URL/$BENCH_DB" -c "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)" >/dev/null
for up in crates/store/migrations/read/*/up.sql; do
    psql -q -v ON_ERROR_STOP=1 "$PG_URL/$BENCH_DB" -f "$up" >/dev/null
    version="$(basename "$(dirname "$up")" | cut -d_ -f1 | tr -d -)"
    psql -q "$PG_URL/$BENCH_DB" -c "INSERT INTO __diesel_schema_migrations (version) VALUES ('$version')" >/dev/null
done
time psql -q -v ON_ERROR_STOP=1 "$PG_URL/$BENCH_DB" >/dev/null <<SQL
INSERT INTO buy_orders (id, currency, amount, exchange_rate, bitcoin_amount, created_at)
SELECT gen_random_uuid(), 'EUR', 100.50, 38123.45, 0.00263617,
       timestamptz '2026-01-01 00:00:00+00' + ((i / 3) * interval '1 millisecond')
FROM generate_series(1, $ROWS) AS i;
VACUUM ANALYZE buy_orders;
SQL

echo "== starting fetch-buy-orders on port $PORT"
READ_DATABASE_URL="$PG_URL/$BENCH_DB" HTTP_PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn \
    "target/$PROFILE/fetch-buy-orders" > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 100); do
    curl -sf "$BASE_URL/health/ready" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "$BASE_URL/health/ready" >/dev/null || { cat "$WORK/service.log"; exit 1; }

# The reference: the id of the last order before the deep page (fetched once, not timed).
REFERENCE="$(psql -qtA "$PG_URL/$BENCH_DB" -c "SELECT id FROM buy_orders ORDER BY created_at DESC, id DESC OFFSET $((DEPTH - 1)) LIMIT 1")"
echo "deep page follows last_reference=$REFERENCE (row $DEPTH)"

# Median of RUNS timings of a URL, in ms (one warm-up request first).
median_http_ms() {
    local url="$1"
    curl -sf -o /dev/null "$url"
    for _ in $(seq 1 "$RUNS"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done |
        sort -n | awk '{a[NR] = $1} END {printf "%.3f", a[int((NR + 1) / 2)] * 1000}'
}

# Average latency of a SQL statement over RUNS executions by one pgbench client, in ms.
pgbench_ms() {
    echo "$1" > "$WORK/query.sql"
    pgbench -n -M prepared -c 1 -t "$RUNS" -f "$WORK/query.sql" "$PG_URL/$BENCH_DB" 2>/dev/null |
        awk '/^latency average/ {print $4}'
}

COLUMNS_SQL="id, currency, amount, exchange_rate, bitcoin_amount, created_at"
ORDER_SQL="ORDER BY created_at DESC, id DESC"
echo "== timing ($RUNS runs each)"
HTTP_FIRST="$(median_http_ms "$BASE_URL/buy_orders?limit=$LIMIT")"
HTTP_DEEP="$(median_http_ms "$BASE_URL/buy_orders?limit=$LIMIT&last_reference=$REFERENCE")"
KEYSET_FIRST="$(pgbench_ms "SELECT $COLUMNS_SQL FROM buy_orders $ORDER_SQL LIMIT $((LIMIT + 1));")"
KEYSET_DEEP="$(pgbench_ms "SELECT $COLUMNS_SQL FROM buy_orders WHERE (created_at, id) < (SELECT created_at, id FROM buy_orders WHERE id = '$REFERENCE') $ORDER_SQL LIMIT $((LIMIT + 1));")"
OFFSET_FIRST="$(pgbench_ms "SELECT $COLUMNS_SQL FROM buy_orders $ORDER_SQL LIMIT $LIMIT OFFSET 0;")"
OFFSET_DEEP="$(pgbench_ms "SELECT $COLUMNS_SQL FROM buy_orders $ORDER_SQL LIMIT $LIMIT OFFSET $DEPTH;")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
printf '%-44s %12s %12s %10s\n' "what" "page 1 ms" "deep ms" "deep/first"
printf '%-44s %12s %12s %10s\n' "GET /buy_orders (HTTP, median)" "$HTTP_FIRST" "$HTTP_DEEP" "$(ratio "$HTTP_DEEP" "$HTTP_FIRST")"
printf '%-44s %12s %12s %10s\n' "keyset SQL alone (pgbench, mean)" "$KEYSET_FIRST" "$KEYSET_DEEP" "$(ratio "$KEYSET_DEEP" "$KEYSET_FIRST")"
printf '%-44s %12s %12s %10s\n' "OFFSET $DEPTH (pgbench, mean)" "$OFFSET_FIRST" "$OFFSET_DEEP" "$(ratio "$OFFSET_DEEP" "$OFFSET_FIRST")"
echo
echo "plan of the deep keyset page:"
psql -qtA "$PG_URL/$BENCH_DB" -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT $COLUMNS_SQL FROM buy_orders WHERE (created_at, id) < (SELECT created_at, id FROM buy_orders WHERE id = '$REFERENCE') $ORDER_SQL LIMIT $((LIMIT + 1))" | sed 's/^/  /'
