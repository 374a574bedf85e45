#!/usr/bin/env bash
# Manual test of fetch-buy-orders with curl: the first page, then the next page passing the
# first page's last_reference, then the error cases (limit out of range, malformed and unknown
# references, a query that does not parse).
# Usage: scripts/buy_orders_pages.sh   (BASE_URL default http://127.0.0.1:8778, LIMIT default 2)
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8778}"
LIMIT="${LIMIT:-2}"

show() {
    local path="$1"
    echo "> GET $BASE_URL$path" >&2
    curl -sS -i "$BASE_URL$path" | tee /dev/stderr | sed -n '/^\r\{0,1\}$/,$p' | tail -n +2
    echo >&2
    echo >&2
}

first="$(show "/buy_orders?limit=$LIMIT")"
reference="$(printf '%s' "$first" | python3 -c 'import json, sys; print(json.load(sys.stdin)["last_reference"] or "")')"
if [[ -n "$reference" ]]; then
    show "/buy_orders?limit=$LIMIT&last_reference=$reference" >/dev/null
else
    echo "(the first page is empty: no last_reference to follow; create orders with PUT /buy_order first)" >&2
fi
show "/buy_orders?limit=0" >/dev/null
show "/buy_orders?limit=101" >/dev/null
show "/buy_orders?limit=abc" >/dev/null
show "/buy_orders?last_reference=not-a-uuid" >/dev/null
show "/buy_orders?last_reference=00000000-0000-0000-0000-000000000000" >/dev/null
show "/buy_orders?limit=1&limit=2" >/dev/null
