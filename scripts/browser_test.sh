#!/usr/bin/env bash
# Browser tests of the console in headless Chromium against a running ./run.sh (scripts/e2e.sh
# runs it): Debian's chromium (installed when missing), driven by the Playwright Python
# package (its newest release, into .run/playwright; it downloads no browser of its own).
# Screenshots of every page: .run/screenshots/.
# Usage: scripts/browser_test.sh   (CONSOLE_URL defaults to http://127.0.0.1:8786)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "browser: installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
VENV=.run/playwright
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import playwright' 2>/dev/null; then
  echo "browser: installing playwright into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade playwright
fi
echo "browser: $("$VENV/bin/python" -m playwright --version), $(chromium --version)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM="$(command -v chromium)" \
  "$VENV/bin/python" scripts/browser/console_test.py
