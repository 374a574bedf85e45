#!/usr/bin/env bash
# Manual test of lru-cache-server's HTTP API with curl: store pairs as a form and as JSON,
# read a key, delete it, read it again (404), then the error cases (missing key, non-string
# JSON value, wrong content type). Prints each request and the full response.
# Usage: scripts/cache.sh   (BASE_URL default http://127.0.0.1:8785)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"  # api_curl: sends API_KEY, else the key ./run.sh made

BASE_URL="${BASE_URL:-http://127.0.0.1:8785}"
STORAGE="$BASE_URL/api/storage/"

# show METHOD URL [curl args...]: prints the request, then the response with its headers.
show() {
    local method="$1" url="$2"
    shift 2
    echo "> $method $url $*"
    api_curl -sS -i -X "$method" "$url" "$@" | sed 's/^/< /'
    echo
    echo
}

show POST "$STORAGE" -H 'content-type: application/x-www-form-urlencoded' --data 'k1=v1&k2=v2'
show POST "$STORAGE" -H 'content-type: application/json' --data '{"greeting": "hello world"}'
show GET "$STORAGE?key=k1"
show GET "$STORAGE?key=greeting"
show DELETE "$STORAGE?key=k1"
show GET "$STORAGE?key=k1"
show DELETE "$STORAGE?key=k1"
show GET "$STORAGE"
show POST "$STORAGE" -H 'content-type: application/json' --data '{"n": 5}'
show POST "$STORAGE" -H 'content-type: text/plain' --data 'k=v'
show GET "$BASE_URL/health/ready"
