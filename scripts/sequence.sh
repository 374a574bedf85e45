#!/usr/bin/env bash
# Manual test of the sequence service with curl: every endpoint, and a bad count.
# Usage: scripts/sequence.sh   (BASE_URL default http://127.0.0.1:8783)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"  # api_curl: sends API_KEY, else the key ./run.sh made

BASE_URL="${BASE_URL:-http://127.0.0.1:8783}"

show() {
    local path="$1"
    echo "> GET $BASE_URL$path"
    api_curl -sS -i "$BASE_URL$path" | sed 's/^/< /'
    echo
    echo
}

show "/v1/forward"
show "/v1/reverse"
show "/v2/forward"
show "/v2/forward?count=5"
show "/v2/reverse?count=5"
show "/v2/forward?count=0"
show "/v2/reverse?count=1000"
show "/health/ready"
