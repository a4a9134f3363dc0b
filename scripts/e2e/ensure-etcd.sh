#!/usr/bin/env bash
# Prints the path of an etcd for the e2e tests: Debian's etcd-server (installed when missing and
# running as root), or, when HOOKGUARD_ETCD_BUILD is set to a version, etcd built from the Go module
# proxy into the cache (a no-op once built).
set -euo pipefail

cache="${HOOKGUARD_CACHE:-$HOME/.cache/hookguard}"

if [ -n "${HOOKGUARD_ETCD_BUILD:-}" ]; then
  version="$HOOKGUARD_ETCD_BUILD"
  dir="$cache/etcd-$version"
  if [ ! -x "$dir/etcd" ]; then
    command -v go >/dev/null 2>&1 || { echo "e2e: etcd $version is built with Go: install Go (or put etcd at $dir/etcd)" >&2; exit 1; }
    echo "e2e: building etcd $version into $dir (first run only)" >&2
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    (
      cd "$work"
      export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GOMAXPROCS="${GOMAXPROCS:-2}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
      go mod init hookguard.local/etcd-build >/dev/null 2>&1
      printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >main.go
      go get "go.etcd.io/etcd/server/v3@$version" >&2
      go mod tidy >&2
      mkdir -p "$dir"
      go build -p 2 -trimpath -ldflags "-s -w" -o "$dir/etcd.tmp" .
      mv "$dir/etcd.tmp" "$dir/etcd"
    )
  fi
  echo "$dir/etcd"
  exit 0
fi

if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "e2e: etcd not found — install with: sudo apt-get install -y etcd-server" >&2
    exit 1
  fi
  echo "e2e: etcd not found, installing Debian package etcd-server" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
fi
command -v etcd
