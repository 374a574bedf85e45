#!/usr/bin/env bash
# Benchmark of the sequence service: wrk against /v2/forward?count=100 and /v1/forward at
# 32 connections, next to pgbench drawing the same batches straight from PostgreSQL at the
# same concurrency (the database's own ceiling). Prints numbers per second and the ratio.
#
# Usage: bench/sequence.sh   (DURATION=15 CONNECTIONS=32 PORT=18783 by default; SKIP_BUILD=1
# uses the target/release/sequence already built)
# Needs the local PostgreSQL (PG_URL, default postgres://postgres@127.0.0.1:5432); installs
# wrk and pgbench from Debian's packages when they are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
PORT="${PORT:-18783}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
BENCH_DB="sequence_bench"
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
install_if_missing wrk wrk
install_if_missing pgbench postgresql-contrib

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    echo "== building sequence (release)"
    cargo build --release -q -p sequence
fi

echo "== fresh database $BENCH_DB with the sequence migrations"
psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" >/dev/null
for up in crates/store/migrations/sequence/*/up.sql; do psql -q "$PG_URL/$BENCH_DB" -f "$up" >/dev/null; done

echo "== pgbench: SELECT nextval(..) FROM generate_series(1,100), $CONNECTIONS clients, ${DURATION}s"
echo "SELECT nextval('forward_sequence') FROM generate_series(1, 100);" > "$WORK/batch.sql"
pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$WORK/batch.sql" "$PG_URL/$BENCH_DB" > "$WORK/pgbench.txt"
PG_TPS="$(awk '/^tps = / {print $3}' "$WORK/pgbench.txt")"
PG_NUMBERS="$(awk -v t="$PG_TPS" 'BEGIN {printf "%.0f", t * 100}')"
echo "pgbench: $PG_TPS batches/s = $PG_NUMBERS numbers/s"

echo "== starting sequence on port $PORT"
SEQUENCE_DATABASE_URL="$PG_URL/$BENCH_DB" HTTP_PORT="$PORT" DATABASE_POOL_SIZE="$CONNECTIONS" \
    LOG_FORMAT=json RUST_LOG=warn target/release/sequence > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null && break
    sleep 0.1
done

run_wrk() {
    local path="$1"
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" "http://127.0.0.1:$PORT$path" > "$WORK/wrk.txt"
    if grep -q "Non-2xx" "$WORK/wrk.txt"; then echo "errors during $path:"; cat "$WORK/wrk.txt"; exit 1; fi
    awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt"
}

echo "== wrk /v2/forward?count=100"
V2_RPS="$(run_wrk "/v2/forward?count=100")"
V2_NUMBERS="$(awk -v r="$V2_RPS" 'BEGIN {printf "%.0f", r * 100}')"
echo "== wrk /v1/forward"
V1_RPS="$(run_wrk "/v1/forward")"

echo
printf '%-34s %14s %14s %8s\n' "what" "requests/s" "numbers/s" "ratio"
printf '%-34s %14s %14s %8s\n' "pgbench batch of 100 (ceiling)" "$PG_TPS" "$PG_NUMBERS" "1.00"
printf '%-34s %14s %14s %8s\n' "GET /v2/forward?count=100" "$V2_RPS" "$V2_NUMBERS" \
    "$(awk -v a="$V2_NUMBERS" -v b="$PG_NUMBERS" 'BEGIN {printf "%.2f", a / b}')"
printf '%-34s %14s %14s %8s\n' "GET /v1/forward" "$V1_RPS" "$(printf '%.0f' "$V1_RPS")" \
    "$(awk -v a="$V1_RPS" -v b="$PG_NUMBERS" 'BEGIN {printf "%.2f", a / b}')"
echo "(ratio: numbers per second through HTTP / pgbench's numbers per second; goal >= 0.8 for /v2)"
