#!/usr/bin/env bash
# Installs the viewer's npm packages (viewer/package-lock.json: Leaflet, served by `creodias serve`
# at /viewer/leaflet/, and playwright-core for tests/viewer/viewer_test.mjs) into viewer/node_modules.
# Idempotent: runs `npm ci` only when node_modules is missing or older than package.json or
# package-lock.json. Needs node and npm (Debian packages nodejs and npm) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../viewer"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "viewer: node and npm are required (Debian packages nodejs and npm) to install viewer/node_modules" >&2
  exit 1
fi

# npm ci writes node_modules/.package-lock.json: its mtime is the time of the last install.
stamp=node_modules/.package-lock.json
if [[ -f $stamp && -f node_modules/leaflet/dist/leaflet.js && -d node_modules/playwright-core \
      && ! package-lock.json -nt $stamp && ! package.json -nt $stamp ]]; then
  echo "viewer: node_modules is up to date"
  exit 0
fi

echo "viewer: npm ci in $PWD"
npm ci --no-audit --no-fund
touch "$stamp"
