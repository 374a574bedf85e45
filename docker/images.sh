#!/usr/bin/env bash
# Shared by build_base_images.sh and build_run_images.sh: the services to build (the arguments,
# or every crate under services/); their ports come from scripts/lib.sh.
# shellcheck disable=SC2034  # SERVICES is read by the scripts that source this file

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# Fills SERVICES from the arguments, or with every service; fails on an unknown name.
select_services() {
  SERVICES=()
  if [ $# -eq 0 ]; then
    local dir
    for dir in services/*/; do SERVICES+=("$(basename "$dir")"); done
    return 0
  fi
  local name
  for name in "$@"; do
    if [ ! -d "services/$name" ]; then
      echo "unknown service '$name'; known: $(cd services && echo */ | tr -d /)" >&2
      return 1
    fi
    SERVICES+=("$name")
  done
}
