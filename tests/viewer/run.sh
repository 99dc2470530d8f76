#!/usr/bin/env bash
# The viewer in headless Chromium (Debian's chromium driven by playwright-core from npm)
# against a real `creodias serve` on 127.0.0.1: a small synthetic archive is generated and
# indexed, the server is started on a free port and stopped by PID at the end.
#   bash tests/viewer/run.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
CLI=$BUILD/src/cli/creodias
[[ -x $CLI ]] || { echo "viewer test: $CLI is not built" >&2; exit 1; }
[[ -d $ROOT/viewer/node_modules/playwright-core ]] || { echo "viewer test: run scripts/viewer.sh first" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "viewer test: /usr/bin/chromium is missing (Debian package chromium)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/creodias-viewer.XXXXXX")
PID=""
cleanup() {
  if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$CLI" generate "$WORK/eodata" --region=9.69,44.65,9.70,44.66 --s2-l1c 1 --s2-l2a 2 --s1-grd 1 --landsat 1 \
  --raster-size 512 >/dev/null
"$CLI" index "$WORK/eodata" --db "$WORK/catalogue.db" >/dev/null 2>&1
"$CLI" serve --db "$WORK/catalogue.db" --port 0 >"$WORK/serve.log" 2>&1 &
PID=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^creodias: serving \(http[^ ]*\) .*/\1/p' "$WORK/serve.log")
  [[ -n $url ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $url ]] || { echo "viewer test: the server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
CREODIAS_VIEWER_URL=$url CREODIAS_VIEWER_SHOT=${CREODIAS_VIEWER_SHOT:-$BUILD/viewer-screenshot.png} \
  node "$ROOT/tests/viewer/viewer_test.mjs"
