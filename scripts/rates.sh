#!/usr/bin/env bash
# Manual test of rate-cache with curl: register a pair, list pairs, read the day's average,
# show the error cases, and delete the pair.
# Usage: scripts/rates.sh   (BASE_URL default http://127.0.0.1:8782; BASE and QUOTE
# default USD and EUR). The first sample arrives at the next update tick
# (RATE_UPDATE_INTERVAL_SECS, 60 by default); until then /rates answers 404 no_rate_for_date.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"  # api_curl: sends API_KEY, else the key ./run.sh made

BASE_URL="${BASE_URL:-http://127.0.0.1:8782}"
BASE="${BASE:-USD}"
QUOTE="${QUOTE:-EUR}"

call() {
    local verb="$1" path="$2" body="${3:-}"
    echo "> $verb $BASE_URL$path ${body}"
    if [[ -n "$body" ]]; then
        api_curl -sS -i -X "$verb" -H 'content-type: application/json' -d "$body" "$BASE_URL$path" | sed 's/^/< /'
    else
        api_curl -sS -i -X "$verb" "$BASE_URL$path" | sed 's/^/< /'
    fi
    echo
    echo
}

call POST /pairs "{\"base\": \"$BASE\", \"quote\": \"$QUOTE\"}"
call POST /pairs "{\"base\": \"$BASE\", \"quote\": \"$QUOTE\"}"
call GET /pairs
call GET "/rates/$BASE/$QUOTE"
call GET "/rates/$BASE/$QUOTE?date=$(date -u +%F)"
call POST /pairs '{"base": "ABC", "quote": "EUR"}'
call POST /pairs '{"base": "EUR", "quote": "EUR"}'
call GET "/rates/$BASE/$QUOTE?date=2026-02-30"
call GET /rates/USD/KPW
if [[ "${DELETE:-0}" == "1" ]]; then
    call DELETE "/pairs/$BASE/$QUOTE"
    call DELETE "/pairs/$BASE/$QUOTE"
fi
