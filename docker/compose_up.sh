#!/usr/bin/env bash
# Starts the compose cluster with podman-compose and waits for every health check, in the
# order of depends_on. podman 4.3 ignores `condition: service_healthy` and runs health checks
# only through systemd timers, so each level of the dependency graph is started on its own and
# its health checks are run here (`podman healthcheck run`) until they pass; a service whose
# health check is disabled (migration) must exit 0. With Docker, `docker compose up --wait`
# does all of this itself.
# Usage: docker/compose_up.sh PROJECT COMPOSE_FILE...   (TIMEOUT seconds per service, default 300;
# PYTHON: an interpreter with PyYAML, default python3)
set -euo pipefail
project=${1:?usage: compose_up.sh PROJECT COMPOSE_FILE...}
shift
files=()
for file in "$@"; do files+=(-f "$file"); done
compose=(podman-compose -p "$project" "${files[@]}")
timeout=${TIMEOUT:-300}

# Levels of the dependency graph, one line each: "service[:check]" words, where check is
# "health" or "exit".
levels=$("${compose[@]}" config 2>/dev/null | "${PYTHON:-python3}" -c '
import sys, yaml
services = yaml.safe_load(sys.stdin)["services"]
def deps(s):
    d = services[s].get("depends_on") or {}
    return list(d) if isinstance(d, (dict, list)) else []
level, placed = {}, set()
while len(placed) < len(services):
    ready = [s for s in services if s not in placed and all(d in placed for d in deps(s))]
    if not ready:
        sys.exit("depends_on has a cycle")
    for s in ready:
        level[s] = 1 + max((level[d] for d in deps(s)), default=-1)
    placed.update(ready)
for n in range(max(level.values()) + 1):
    words = []
    for s in sorted(s for s in services if level[s] == n):
        hc = services[s].get("healthcheck") or {}
        check = "exit" if hc.get("disable") else "health" if hc.get("test") else "none"
        words.append(f"{s}:{check}")
    print(" ".join(words))
')

container_of() { podman ps -a --filter "label=com.docker.compose.project=$project" \
  --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -n1; }

wait_for() {
  local service=$1 check=$2 container deadline
  container=$(container_of "$service")
  [ -n "$container" ] || { echo "compose_up: no container for $service" >&2; return 1; }
  deadline=$((SECONDS + timeout))
  case $check in
    health)
      until podman healthcheck run "$container" >/dev/null 2>&1; do
        if ((SECONDS > deadline)); then
          echo "compose_up: $service not healthy after ${timeout}s; its log:" >&2
          podman logs --tail 30 "$container" >&2 || true
          return 1
        fi
        sleep 1
      done ;;
    exit)
      local code
      code=$(timeout "$timeout" podman wait "$container" 2>/dev/null || echo timeout)
      if [ "$code" != 0 ]; then
        echo "compose_up: $service ended with '$code'; its log:" >&2
        podman logs --tail 30 "$container" >&2 || true
        return 1
      fi ;;
  esac
  echo "compose_up: $service ${check/none/started}"
}

# An array, not a `while read` loop: podman-compose would read the rest of the levels from stdin.
mapfile -t level_lines <<< "$levels"
for line in "${level_lines[@]}"; do
  [ -n "$line" ] || continue
  names=()
  for word in $line; do names+=("${word%%:*}"); done
  "${compose[@]}" up -d --no-deps "${names[@]}" </dev/null >/dev/null 2>&1 \
    || { echo "compose_up: could not start ${names[*]}" >&2; "${compose[@]}" up -d --no-deps "${names[@]}"; exit 1; }
  for word in $line; do wait_for "${word%%:*}" "${word#*:}"; done
done
echo "compose_up: every service is up"
