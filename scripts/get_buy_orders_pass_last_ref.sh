#!/usr/bin/env bash
# Manual test of keyset paging with curl: the first page, then the next one passing the first
# page's last_reference.
# Usage: scripts/get_buy_orders_pass_last_ref.sh   (BASE_URL default http://127.0.0.1:8778, LIMIT default 2)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
BASE_URL="${BASE_URL:-http://127.0.0.1:8778}"
LIMIT="${LIMIT:-2}"

first="$(show_get "/buy_orders?limit=$LIMIT")"
reference="$(printf '%s' "$first" | python3 -c 'import json, sys; print(json.load(sys.stdin)["last_reference"] or "")')"
if [[ -n "$reference" ]]; then
  show_get "/buy_orders?limit=$LIMIT&last_reference=$reference" >/dev/null
else
  echo "(the first page is empty: no last_reference to follow; create orders with scripts/put_buy_order.sh first)" >&2
fi
