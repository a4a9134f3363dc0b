#!/usr/bin/env bash
# Gets the tools the tests need, or stops at once naming exactly what to install.
# Sourced by scripts/test.sh and .ci/run; safe to source twice. Builds are cached under $HOME.

HOOKGUARD_CACHE="${HOOKGUARD_CACHE:-$HOME/.cache/hookguard}"
HELM_VERSION="v3.19.0"   # pinned: helm.sh/helm/v3 from the Go module proxy
export HOOKGUARD_CACHE HELM_VERSION

_hg_apt_updated=0
_hg_apt_install() {
  # $@: Debian packages. Installs them when running as root; otherwise says what to run.
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test: missing $* — install with: sudo apt-get install -y $*" >&2
    return 1
  fi
  if [ "$_hg_apt_updated" = 0 ]; then
    apt-get update -qq >/dev/null
    _hg_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_command() {
  # ensure_command COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "test: $1 not found, installing Debian package $2" >&2
  _hg_apt_install "$2" || exit 1
  command -v "$1" >/dev/null 2>&1 || { echo "test: $1 still missing after installing $2" >&2; exit 1; }
}

ensure_helm() {
  local dir="$HOOKGUARD_CACHE/helm-$HELM_VERSION"
  if [ ! -x "$dir/helm" ]; then
    command -v go >/dev/null 2>&1 || { echo "test: helm is built with Go: install Go 1.22+ (or put helm $HELM_VERSION at $dir/helm)" >&2; exit 1; }
    echo "test: building helm $HELM_VERSION into $dir (first run only)" >&2
    mkdir -p "$dir"
    (cd "$(mktemp -d)" && GOBIN="$dir" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") || { echo "test: building helm failed" >&2; exit 1; }
  fi
  export HOOKGUARD_HELM="$dir/helm"
}

ensure_test_tools() {
  ensure_command redis-server redis-server
  ensure_command redis-cli redis-tools
  # The CSRF tests drive Debian's Chromium through playwright-core (no browser download).
  if [ -z "${HOOKGUARD_CHROMIUM:-}" ]; then ensure_command chromium chromium; fi
  ensure_deploy_test_tools
}

ensure_deploy_test_tools() {
  # test/helm and test/deploy: helm (the chart), Prometheus and promtool (dashboard and alert
  # queries, rule checks), openssl (test certificates) and setpriv (the image layout test starts
  # the build as the image's non-root user).
  ensure_helm
  ensure_command prometheus prometheus
  ensure_command promtool prometheus
  ensure_command openssl openssl
  ensure_command setpriv util-linux
}
