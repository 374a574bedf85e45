#!/usr/bin/env bash
# Benchmark of lru-cache-server next to redis-server (allkeys-lru, same byte budget, no
# persistence), one after the other on this machine in the same run:
#   1. redis-benchmark -t set,get -n 1000000 -r 100000 -d 64 -c 50 at -P 1 and -P 16:
#      requests per second and p99 latency of each, and the ratio ours / redis. The two servers
#      alternate for ROUNDS rounds (fresh processes each time) and the medians are reported,
#      so a burst of other load on the machine does not decide the comparison;
#   2. memory per entry after 1,000,000 SETs of 64-byte values under distinct 16-byte keys,
#      measured first on the fresh process: INFO used_memory and process RSS, before and after,
#      divided by DBSIZE.
#
# Usage: bench/lru_cache_server.sh   (REQUESTS=1000000 KEYSPACE=100000 CLIENTS=50 ROUNDS=3
# MEMORY_KEYS=1000000 MAX_BYTES=536870912 OUR_PORT=16380 REDIS_PORT=16379 by default;
# SKIP_BUILD=1 uses the target/release/lru-cache-server already built; CACHE_SHARDS and
# CACHE_THREADS are passed on; SERVER_CPUS=1 CLIENT_CPUS=0 pins both servers to one CPU list and
# redis-benchmark to another with taskset, the same for both servers, so the scheduler's moves
# between the client and the server do not decide the comparison)
# Installs redis-tools and redis-server from Debian's packages when they are missing.
set -euo pipefail

cd "$(dirname "$0")/.."
REQUESTS="${REQUESTS:-1000000}"
KEYSPACE="${KEYSPACE:-100000}"
CLIENTS="${CLIENTS:-50}"
ROUNDS="${ROUNDS:-3}"
VALUE_BYTES=64
MEMORY_KEYS="${MEMORY_KEYS:-1000000}"
MAX_BYTES="${MAX_BYTES:-536870912}"
MAX_ENTRIES="${MAX_ENTRIES:-4000000}"
OUR_PORT="${OUR_PORT:-16380}"
OUR_HTTP_PORT="${OUR_HTTP_PORT:-18785}"
REDIS_PORT="${REDIS_PORT:-16379}"
SERVER_CPUS="${SERVER_CPUS:-}"
CLIENT_CPUS="${CLIENT_CPUS:-}"
WORK="$(mktemp -d)"
SERVER_PID=""

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
install_if_missing redis-benchmark redis-tools
install_if_missing redis-server redis-server

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for port in "$OUR_PORT" "$OUR_HTTP_PORT" "$REDIS_PORT"; do
    port_free "$port" || { echo "port $port is in use; set OUR_PORT / OUR_HTTP_PORT / REDIS_PORT" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    echo "== building lru-cache-server (release)"
    cargo build --release -q -p lru-cache-server
fi

# Command prefixes that pin to the CPU lists (empty: not pinned). taskset execs the program, so
# $! is still the server's own pid.
SERVER_ON=()
CLIENT_ON=()
[[ -n "$SERVER_CPUS" ]] && SERVER_ON=(taskset -c "$SERVER_CPUS")
[[ -n "$CLIENT_CPUS" ]] && CLIENT_ON=(taskset -c "$CLIENT_CPUS")

wait_ready() {
    local port="$1"
    for _ in $(seq 1 100); do
        redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && return 0
        sleep 0.1
    done
    echo "nothing answers PING on port $port" >&2
    return 1
}

start_ours() {
    CACHE_PORT="$OUR_PORT" HTTP_PORT="$OUR_HTTP_PORT" CACHE_MAX_BYTES="$MAX_BYTES" \
        CACHE_MAX_ENTRIES="$MAX_ENTRIES" LOG_FORMAT=json RUST_LOG=warn \
        "${SERVER_ON[@]}" target/release/lru-cache-server > "$WORK/ours.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "$OUR_PORT"
}

start_redis() {
    "${SERVER_ON[@]}" redis-server --port "$REDIS_PORT" --maxmemory "$MAX_BYTES" --maxmemory-policy allkeys-lru \
        --save "" --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "$REDIS_PORT"
}

# Appends "name pipeline test rps p99" lines to $WORK/results for one server.
run_throughput() {
    local name="$1" port="$2" round="$3" pipeline
    for pipeline in 1 16; do
        echo "-- $name, round $round (load $(cut -d' ' -f1 /proc/loadavg)): redis-benchmark -t set,get -n $REQUESTS -r $KEYSPACE -d $VALUE_BYTES -c $CLIENTS -P $pipeline"
        redis-cli -p "$port" FLUSHALL >/dev/null
        "${CLIENT_ON[@]}" redis-benchmark -p "$port" -t set,get -n "$REQUESTS" -r "$KEYSPACE" -d "$VALUE_BYTES" \
            -c "$CLIENTS" -P "$pipeline" --csv > "$WORK/$name-$pipeline-$round.csv"
        # CSV: "test","rps","avg","min","p50","p95","p99","max"
        awk -F'","' -v n="$name" -v p="$pipeline" \
            'NR > 1 { gsub(/"/, "", $1); print n, p, $1, $2, $7 }' "$WORK/$name-$pipeline-$round.csv" \
            | tee -a "$WORK/results"
    done
}

info_field() {
    redis-cli -p "$1" INFO memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'
}

rss_bytes() {
    awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

# Writes the RESP for MEMORY_KEYS SETs of distinct 16-byte keys and 64-byte values once.
make_load() {
    [[ -f "$WORK/load.resp" ]] && return 0
    awk -v n="$MEMORY_KEYS" -v len="$VALUE_BYTES" 'BEGIN {
        value = sprintf("%" len "s", ""); gsub(/ /, "x", value)
        for (i = 0; i < n; i++) {
            key = sprintf("key:%012d", i)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, len, value
        }
    }' > "$WORK/load.resp"
}

# Appends "name keys used_per_entry rss_per_entry" to $WORK/memory for one server.
run_memory() {
    local name="$1" port="$2" used0 rss0 used1 rss1 keys
    make_load
    used0="$(info_field "$port" used_memory)"
    rss0="$(rss_bytes "$SERVER_PID")"
    echo "-- $name: $MEMORY_KEYS SETs of $VALUE_BYTES-byte values through redis-cli --pipe"
    redis-cli -p "$port" --pipe < "$WORK/load.resp" | tail -n 1
    keys="$(redis-cli -p "$port" DBSIZE)"
    used1="$(info_field "$port" used_memory)"
    rss1="$(rss_bytes "$SERVER_PID")"
    awk -v n="$name" -v k="$keys" -v u0="$used0" -v u1="$used1" -v r0="$rss0" -v r1="$rss1" \
        'BEGIN { printf "%s %d %.1f %.1f %d %d\n", n, k, (u1 - u0) / k, (r1 - r0) / k, u1, r1 }' \
        | tee -a "$WORK/memory"
}

echo "== memory: fresh processes, one after the other"
start_ours
run_memory ours "$OUR_PORT"
stop_server
start_redis
run_memory redis "$REDIS_PORT"
stop_server

echo "== throughput: lru-cache-server on $OUR_PORT (CACHE_SHARDS=${CACHE_SHARDS:-16}, CACHE_THREADS=${CACHE_THREADS:-1}) and redis-server \
$(redis-server --version | awk '{print $3}') on $REDIS_PORT (maxmemory $MAX_BYTES, allkeys-lru), $ROUNDS rounds"
echo "   server CPUs: ${SERVER_CPUS:-any}; redis-benchmark CPUs: ${CLIENT_CPUS:-any}"
for round in $(seq 1 "$ROUNDS"); do
    start_ours
    run_throughput ours "$OUR_PORT" "$round"
    stop_server
    start_redis
    run_throughput redis "$REDIS_PORT" "$round"
    stop_server
done

echo
echo "== throughput, median of $ROUNDS rounds (redis-benchmark -n $REQUESTS -r $KEYSPACE -d $VALUE_BYTES -c $CLIENTS)"
awk '
    function median(list,    values, n, i, j, t) {
        n = split(substr(list, 2), values, " ")
        for (i = 2; i <= n; i++) {
            t = values[i] + 0
            for (j = i - 1; j >= 1 && values[j] + 0 > t; j--) values[j + 1] = values[j]
            values[j + 1] = t
        }
        return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
    }
    { all_rps[$1, $2, $3] = all_rps[$1, $2, $3] " " $4; all_p99[$1, $2, $3] = all_p99[$1, $2, $3] " " $5 }
    END {
        for (k in all_rps) { rps[k] = median(all_rps[k]); p99[k] = median(all_p99[k]) }
        printf "%-12s %12s %9s %12s %9s %10s %10s\n", "test", "ours rps", "ours p99", "redis rps", "redis p99", "rps ratio", "p99 ratio"
        split("1 SET,1 GET,16 SET,16 GET", order, ",")
        for (i = 1; i <= 4; i++) {
            split(order[i], t, " ")
            o = rps["ours", t[1], t[2]]; r = rps["redis", t[1], t[2]]
            op = p99["ours", t[1], t[2]]; rp = p99["redis", t[1], t[2]]
            printf "%-12s %12.0f %9.3f %12.0f %9.3f %10.2f %10.2f\n", t[2] " -P " t[1], o, op, r, rp, o / r, op / rp
        }
    }' "$WORK/results"
echo "(p99 in ms; rps ratio = ours / redis, higher is better; p99 ratio = ours / redis, lower is better)"
echo
echo "== memory after $MEMORY_KEYS SETs of $VALUE_BYTES-byte values"
awk '
    BEGIN { printf "%-6s %9s %22s %20s %14s %12s\n", "server", "keys", "used_memory/entry (B)", "RSS growth/entry (B)", "used_memory", "RSS" }
    { printf "%-6s %9d %22.1f %20.1f %14d %12d\n", $1, $2, $3, $4, $5, $6 }' "$WORK/memory"
