#!/usr/bin/env bash
# Makes sure the public images that docker/ and docker-compose.yml name exist locally: pulled when
# a registry serves them, otherwise built here as stand-ins from Debian's packages (and this
# machine's Rust toolchain), saying which. Needs podman and debootstrap; run as root.
# Usage: docker/standins/build.sh   (ENGINE=podman by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
engine=${ENGINE:-podman}
rust_version=$(rustc --version | awk '{print $2}' | cut -d. -f1,2)
mirror=$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' \
  /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

have() { "$engine" image exists "$1"; }

# Pulls $1 within a minute, or returns non-zero.
pull() { timeout 60 "$engine" pull -q "$1" >/dev/null 2>&1; }

# $1 image, $2 function that builds its stand-in.
ensure() {
  if have "$1"; then echo "image $1: present"; return 0; fi
  if pull "$1"; then echo "image $1: pulled"; return 0; fi
  echo "image $1: cannot be pulled here; building a stand-in"
  "$2" "$1"
}

debian_slim() {
  local root
  root=$(mktemp -d /var/tmp/btc-debian.XXXXXX)
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  # What the official slim image leaves out: docs, man pages, locales, apt's caches.
  rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,linda}/* "$root"/var/cache/apt/* \
    "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  # As in the official image: apt keeps no downloaded packages.
  printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
    'Binary::apt::APT::Keep-Downloaded-Packages "false";' > "$root/etc/apt/apt.conf.d/docker-clean"
  tar -C "$root" -c . | "$engine" import -q - "$1" >/dev/null
  rm -rf "$root"
}

rust_image() {
  local context toolchain
  context=$(mktemp -d /var/tmp/btc-rust.XXXXXX)
  toolchain=$(rustc --print sysroot)
  cp -a "$toolchain" "$context/toolchain"
  rm -rf "$context/toolchain/share/doc"
  cp /etc/ssl/certs/ca-certificates.crt "$context/"
  cp "$here/rust.Dockerfile" "$context/Dockerfile"
  "$engine" build -q -t "$1" "$context" >/dev/null
  rm -rf "$context"
}

from_dockerfile() { "$engine" build -q -t "$1" -f "$here/$2" "$here" >/dev/null; }
postgres_image() { from_dockerfile "$1" postgres.Dockerfile; }
rabbitmq_image() { from_dockerfile "$1" rabbitmq.Dockerfile; }
fluentd_image() { from_dockerfile "$1" fluentd.Dockerfile; }

ensure debian:bookworm-slim debian_slim
ensure "rust:${rust_version}-slim-bookworm" rust_image
ensure postgres:15 postgres_image
ensure rabbitmq:3-management rabbitmq_image
ensure fluent/fluentd:v1.16-debian-1 fluentd_image
