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

# The long steps go first so the test runner's summary is the last thing printed; each runs
# whatever the others did (SKIP_E2E=1, SKIP_CHAOS=1, SKIP_FUZZ=1, SKIP_CONTAINERS=1 leave one out), and any
# failure fails the whole.
failed_steps=()
run_step() {
  local skip=$1 title=$2 status=0
  shift 2
  if [ "${!skip:-}" = 1 ]; then
    echo "== $title skipped ($skip=1)"
    return 0
  fi
  echo "== $title"
  "$@" || status=$?
  [ "$status" -eq 0 ] || failed_steps+=("$title (exit $status)")
}

fuzz() {
  mkdir -p .run/logs
  FUZZ_SECONDS=${FUZZ_SECONDS:-30} scripts/fuzz_resp.sh > .run/logs/fuzz.log 2>&1 \
    || { local status=$?; tail -n 40 .run/logs/fuzz.log; return "$status"; }
}

run_step SKIP_E2E "end-to-end: ./run.sh + scripts/*.sh" scripts/e2e.sh
# The whole-system fault suite on the debug build the end-to-end step made, with a fixed seed so
# a failure can be repeated (CHAOS_SEED picks another; by hand scripts/chaos.sh draws one).
run_step SKIP_CHAOS "fault suite: scripts/chaos.sh --seed ${CHAOS_SEED:-1} (results: .run/chaos/)" \
  env CHAOS_PROFILE=debug scripts/chaos.sh --seed "${CHAOS_SEED:-1}"
run_step SKIP_FUZZ "fuzzing lru-cache-server's request parser for ${FUZZ_SECONDS:-30}s (log: .run/logs/fuzz.log)" fuzz
run_step SKIP_CONTAINERS "container test: images built and the compose cluster run with podman" \
  scripts/container_test.sh

echo "== tests"
tests_status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@" || tests_status=$?
else
  cargo test --workspace --no-fail-fast "$@" || tests_status=$?
fi
for step in "${failed_steps[@]}"; do echo "failed: $step; see above" >&2; done
[ ${#failed_steps[@]} -eq 0 ] && [ "$tests_status" -eq 0 ]
