#!/usr/bin/env bash
# Manual test of fetch-buy-orders with curl: the first page, then the error cases (limit out of
# range, malformed and unknown references, a query that does not parse).
# Usage: scripts/get_buy_orders.sh   (BASE_URL default http://127.0.0.1:8778, LIMIT default 2)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
BASE_URL="${BASE_URL:-http://127.0.0.1:8778}"
LIMIT="${LIMIT:-2}"

show_get "/buy_orders?limit=$LIMIT" >/dev/null
for query in "limit=0" "limit=101" "limit=abc" "last_reference=not-a-uuid" \
  "last_reference=00000000-0000-0000-0000-000000000000" "limit=1&limit=2"; do
  show_get "/buy_orders?$query" >/dev/null
done
