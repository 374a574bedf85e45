#!/usr/bin/env bash
# Every check and every test: formatting, lints, shell scripts, then all tests against the real
# PostgreSQL and RabbitMQ (each test makes its own database and broker names).
set -euo pipefail
cd "$(dirname "$0")"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

if command -v shellcheck >/dev/null 2>&1; then
  echo "== shellcheck"
  mapfile -t scripts < <(git ls-files '*.sh' .ci/run 2>/dev/null || true)
  [ ${#scripts[@]} -eq 0 ] || shellcheck -x "${scripts[@]}"
else
  echo "== shellcheck not installed; skipped (.ci/run installs it)"
fi

# The end-to-end run goes first so the test runner's summary is the last thing printed;
# both always run, and either failing fails the whole.
e2e_status=0
if [ "${SKIP_E2E:-}" = 1 ]; then
  echo "== end-to-end skipped (SKIP_E2E=1)"
else
  echo "== end-to-end: ./run.sh + scripts/*.sh"
  scripts/e2e.sh || e2e_status=$?
fi

fuzz_status=0
if [ "${SKIP_FUZZ:-}" = 1 ]; then
  echo "== fuzzing skipped (SKIP_FUZZ=1)"
else
  mkdir -p .run/logs
  fuzz_seconds=${FUZZ_SECONDS:-30}
  echo "== fuzzing lru-cache-server's request parser for ${fuzz_seconds}s (log: .run/logs/fuzz.log)"
  FUZZ_SECONDS=$fuzz_seconds scripts/fuzz_resp.sh > .run/logs/fuzz.log 2>&1 \
    || { fuzz_status=$?; tail -n 40 .run/logs/fuzz.log; }
fi

container_status=0
if [ "${SKIP_CONTAINERS:-}" = 1 ]; then
  echo "== container test skipped (SKIP_CONTAINERS=1)"
else
  echo "== container test: images built and the compose cluster run with podman"
  scripts/container_test.sh || container_status=$?
fi

echo "== tests"
tests_status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@" || tests_status=$?
else
  cargo test --workspace --no-fail-fast "$@" || tests_status=$?
fi
[ "$e2e_status" -eq 0 ] || echo "the end-to-end run failed (exit $e2e_status); see above" >&2
[ "$fuzz_status" -eq 0 ] || echo "the fuzzer failed (exit $fuzz_status); see above" >&2
[ "$container_status" -eq 0 ] || echo "the container test failed (exit $container_status); see above" >&2
[ "$e2e_status" -eq 0 ] && [ "$fuzz_status" -eq 0 ] && [ "$container_status" -eq 0 ] && [ "$tests_status" -eq 0 ]
