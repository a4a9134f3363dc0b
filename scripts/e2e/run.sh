#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end tests against a real kube-apiserver and etcd (docs/e2e.md).
# Builds kube-apiserver and helm once (cached under $HOME/.cache/hookguard), installs etcd and
# openssl when missing, then runs test/e2e. Every process the tests start is stopped when they end,
# also when they fail or are killed.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d node_modules ]; then
  echo "e2e: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi

# shellcheck source=scripts/ensure-tools.sh
source scripts/ensure-tools.sh
ensure_command openssl openssl
ensure_command jq jq
ensure_helm

HOOKGUARD_KUBE_APISERVER="${HOOKGUARD_KUBE_APISERVER:-$(bash scripts/e2e/build-kube-apiserver.sh)}"
HOOKGUARD_ETCD="${HOOKGUARD_ETCD:-$(bash scripts/e2e/ensure-etcd.sh)}"
export HOOKGUARD_KUBE_APISERVER HOOKGUARD_ETCD

# The tests write here the pid of each process they start ("pid N") and each folder they make
# ("dir PATH"). What is still there at the end (a test process killed with SIGKILL cannot clean up
# after itself) is removed: a process only if its environment shows that this run started it, so a
# reused pid is never hit.
HOOKGUARD_E2E_PIDFILE="$(mktemp "${TMPDIR:-/tmp}/hookguard-e2e-pids.XXXXXX")"
export HOOKGUARD_E2E_PIDFILE
cleanup() {
  local kind value
  while read -r kind value; do
    case "$kind" in
      pid)
        if { tr '\0' '\n' <"/proc/$value/environ"; } 2>/dev/null | grep -qxF "HOOKGUARD_E2E_PIDFILE=$HOOKGUARD_E2E_PIDFILE"; then
          kill -9 "$value" 2>/dev/null || true
        fi
        ;;
      dir)
        if [ -z "${HOOKGUARD_E2E_KEEP:-}" ]; then rm -rf -- "$value"; fi
        ;;
    esac
  done <"$HOOKGUARD_E2E_PIDFILE"
  rm -f "$HOOKGUARD_E2E_PIDFILE"
}
trap cleanup EXIT

mapfile -t files < <(find test/e2e -name '*.test.ts' | sort)
# One file at a time: each starts its own etcd and kube-apiserver, and the machine has 2 cores.
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
