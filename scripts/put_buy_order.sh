#!/usr/bin/env bash
# The issue's name for the buy-order manual test; see scripts/buy_order.sh.
set -euo pipefail
exec "$(dirname "$0")/buy_order.sh" "$@"
