#!/usr/bin/env bash
# The README's test command (`npm test`): gets the tools the tests need, type-checks, runs every
# unit and integration test. Long suites (chaos, e2e, bench) have their own npm scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

typecheck=1
for arg in "$@"; do
  case "$arg" in
    --no-typecheck) typecheck=0 ;;
  esac
done

if [ ! -d node_modules ]; then
  echo "test: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi

# shellcheck source=scripts/ensure-tools.sh
source scripts/ensure-tools.sh
ensure_test_tools

if [ "$typecheck" = 1 ]; then
  npx tsc -p tsconfig.json --noEmit
fi

mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/chaos/*' -not -path 'test/e2e/*' | sort)
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
