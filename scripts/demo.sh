#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build, then run the demo
# (generate a small synthetic /eodata archive, index it, run representative searches).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/src/cli/creodias demo --dir demo-output
