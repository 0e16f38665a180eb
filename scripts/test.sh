#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, builds, type-checks,
# lints, then runs every test. In CI (CI=true) a missing dependency fails the run; nothing is
# silently skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: npm 11 leaves other platforms' optional bindings out of the lock
  # file, and npm ci then refuses it as out of sync.
  log "installing npm dependencies"
  npm install --no-audit --no-fund
fi

# System services the tests use are installed and started by scripts/test-deps.sh.
if [ -x scripts/test-deps.sh ]; then
  log "system test dependencies"
  scripts/test-deps.sh
fi

log "build"
npm run --silent build

log "type-check (sources, tests, benchmarks)"
npx tsc -p tsconfig.json --noEmit
npx tsc -p packages/web/tsconfig.json --noEmit

log "lint"
npx eslint . --max-warnings 0

log "tests"
npx vitest run "$@"

# The web UI's component tests and its browser tests (Chromium against a real cairn server).
# Arguments select root tests only, so a targeted run stays targeted.
if [ "$#" -eq 0 ]; then
  log "web UI tests (components, then Chromium)"
  npx vitest run --config packages/web/vitest.config.ts
fi
