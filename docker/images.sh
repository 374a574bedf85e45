#!/usr/bin/env bash
# Shared by build_base_images.sh and build_run_images.sh: the container engine (docker, or
# podman where docker is absent; ENGINE overrides), and the services to build (the arguments, or
# every crate under services/) with their ports from scripts/lib.sh.
# shellcheck disable=SC2034  # SERVICES and ENGINE are read by the scripts that source this file

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

if [ -z "${ENGINE:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then ENGINE=docker
  elif command -v podman >/dev/null 2>&1; then ENGINE=podman
  else echo "neither docker (with a running engine) nor podman found" >&2; exit 1
  fi
fi
# podman writes OCI images by default, which drop HEALTHCHECK; the docker format keeps it.
BUILD_FLAGS=()
[ "$ENGINE" = podman ] && BUILD_FLAGS=(--format docker)

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
