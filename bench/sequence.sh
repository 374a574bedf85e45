#!/usr/bin/env bash
# Benchmark of the sequence service in both modes, in one run: wrk against
# /v2/forward?count=100 and /v1/forward at 32 connections, with one nextval per number
# (SEQUENCE_BLOCK_SIZE=1) and in block mode (SEQUENCE_BLOCK_SIZE=BLOCK_SIZE, default 100000),
# next to pgbench drawing the same batches straight from PostgreSQL at the same concurrency
# (the database's own ceiling) and to a bare actix-web route (event-gateway's http_floor
# example, FLOOR_SERVER=actix: the HTTP framework's own ceiling). Prints numbers per second
# and the ratios the issue sets goals for.
#
# Usage: bench/sequence.sh   (DURATION=15 CONNECTIONS=32 PORT=18783 FLOOR_PORT=18787
# BLOCK_SIZE=100000 by default; SKIP_BUILD=1 uses the release binaries already built)
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
FLOOR_PORT="${FLOOR_PORT:-18787}"
BLOCK_SIZE="${BLOCK_SIZE:-100000}"

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
    cargo build --release -q -p event-gateway --example http_floor
fi

echo "== fresh database $BENCH_DB with the sequence migrations"
migrate() {
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" >/dev/null
    for up in crates/store/migrations/sequence/*/up.sql; do psql -q "$PG_URL/$BENCH_DB" -f "$up" >/dev/null; done
}
migrate

echo "== pgbench: SELECT nextval(..) FROM generate_series(1,100), $CONNECTIONS clients, ${DURATION}s"
echo "SELECT nextval('forward_sequence') FROM generate_series(1, 100);" > "$WORK/batch.sql"
pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$WORK/batch.sql" "$PG_URL/$BENCH_DB" > "$WORK/pgbench.txt"
PG_TPS="$(awk '/^tps = / {print $3}' "$WORK/pgbench.txt")"
PG_NUMBERS="$(awk -v t="$PG_TPS" 'BEGIN {printf "%.0f", t * 100}')"
echo "pgbench: $PG_TPS batches/s = $PG_NUMBERS numbers/s"

run_wrk() {
    local port="$1" path="$2" script="${3:-}"
    local args=(-t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s")
    [[ -z "$script" ]] || args+=(-s "$script")
    wrk "${args[@]}" "http://127.0.0.1:$port$path" > "$WORK/wrk.txt"
    if grep -q "Non-2xx" "$WORK/wrk.txt"; then echo "errors during $path:"; cat "$WORK/wrk.txt"; exit 1; fi
    awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt"
}

stop_service() {
    kill "$SERVICE_PID" 2>/dev/null || true
    wait "$SERVICE_PID" 2>/dev/null || true
    SERVICE_PID=""
}

# One mode: a fresh database, the service with SEQUENCE_BLOCK_SIZE=$1, both routes.
bench_mode() {
    local block_size="$1"
    migrate
    echo "== sequence with SEQUENCE_BLOCK_SIZE=$block_size on port $PORT"
    SEQUENCE_DATABASE_URL="$PG_URL/$BENCH_DB" HTTP_PORT="$PORT" DATABASE_POOL_SIZE="$CONNECTIONS" \
        SEQUENCE_BLOCK_SIZE="$block_size" LOG_FORMAT=json RUST_LOG=warn \
        target/release/sequence > "$WORK/service.log" 2>&1 &
    SERVICE_PID=$!
    wait_for_port 127.0.0.1 "$PORT" 30 || { cat "$WORK/service.log"; exit 1; }
    V2_RPS="$(run_wrk "$PORT" "/v2/forward?count=100")"
    V1_RPS="$(run_wrk "$PORT" "/v1/forward")"
    stop_service
}

echo "== bare actix-web route (http_floor, FLOOR_SERVER=actix) on port $FLOOR_PORT"
printf 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n' > "$WORK/post.lua"
FLOOR_SERVER=actix HTTP_PORT="$FLOOR_PORT" target/release/examples/http_floor > "$WORK/floor.log" 2>&1 &
SERVICE_PID=$!
wait_for_port 127.0.0.1 "$FLOOR_PORT" 30 || { cat "$WORK/floor.log"; exit 1; }
FLOOR_RPS="$(run_wrk "$FLOOR_PORT" "/c/e/send_event" "$WORK/post.lua")"
stop_service

bench_mode 1
ONE_V2="$V2_RPS"; ONE_V1="$V1_RPS"
bench_mode "$BLOCK_SIZE"
BLOCK_V2="$V2_RPS"; BLOCK_V1="$V1_RPS"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
numbers() { awk -v r="$1" 'BEGIN {printf "%.0f", r * 100}'; }
echo
printf '%-44s %12s %12s %18s\n' "what" "requests/s" "numbers/s" "ratio"
printf '%-44s %12s %12s %18s\n' "pgbench batch of 100 (database ceiling)" "$PG_TPS" "$PG_NUMBERS" "1.00 of pgbench"
printf '%-44s %12s %12s %18s\n' "bare actix-web route (HTTP ceiling)" "$FLOOR_RPS" "-" "1.00 of actix"
printf '%-44s %12s %12s %18s\n' "one nextval a number: /v2/forward?count=100" "$ONE_V2" "$(numbers "$ONE_V2")" "$(ratio "$(numbers "$ONE_V2")" "$PG_NUMBERS") of pgbench"
printf '%-44s %12s %12s %18s\n' "one nextval a number: /v1/forward" "$ONE_V1" "-" "$(ratio "$ONE_V1" "$FLOOR_RPS") of actix"
printf '%-44s %12s %12s %18s\n' "blocks of $BLOCK_SIZE: /v2/forward?count=100" "$BLOCK_V2" "$(numbers "$BLOCK_V2")" "$(ratio "$(numbers "$BLOCK_V2")" "$PG_NUMBERS") of pgbench"
printf '%-44s %12s %12s %18s\n' "blocks of $BLOCK_SIZE: /v1/forward" "$BLOCK_V1" "-" "$(ratio "$BLOCK_V1" "$FLOOR_RPS") of actix"
echo "(goals: block mode /v2 >= 3x pgbench, /v1 >= 0.8x actix; one-number mode /v2 >= 0.8x pgbench)"
