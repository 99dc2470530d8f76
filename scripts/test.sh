#!/usr/bin/env bash
# Every test on a fresh Debian 12 machine: dependencies, build, C++ unit tests (Boost.Test
# via ctest), Python tests (pytest against the pip-installed package), the package consumer
# test (find_package + pkg-config against the installed library, examples included), the
# viewer in headless Chromium against `creodias serve`, the
# unit tests again under ASan+UBSan, and a short run of every fuzz target.
# Env: FUZZ_SECONDS (per target, default 15), SKIP_ASAN=1, SKIP_FUZZ=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export CREODIAS_FIXTURES=${CREODIAS_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
if [[ ! -d "$CREODIAS_FIXTURES" ]]; then
  if [[ -n "${CI:-}" ]]; then echo "test: fixtures missing at $CREODIAS_FIXTURES (required in CI)" >&2; exit 1; fi
  echo "test: WARNING fixtures missing at $CREODIAS_FIXTURES; fixture tests will be skipped" >&2
fi
# ccache: hash paths relative to the checkout, so fresh clones in new places still hit.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
start=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - start )) s)"; }

step "setup"
bash scripts/setup.sh

step "build"
bash scripts/build.sh

step "C++ unit tests"
(cd build && ctest --output-on-failure -L unit -j 2 --timeout 600)

export CREODIAS_CLI="$PWD/build/src/cli/creodias"
step "Python tests (pip-installed package in .venv)"
.venv/bin/python -m pytest -q -p no:cacheprovider bindings/python/tests \
  || { rc=$?; [[ $rc -eq 5 ]] && echo "no python tests collected" >&2; exit $rc; }

step "viewer in headless Chromium (playwright-core, against creodias serve)"
bash tests/viewer/run.sh build

step "install + consumer project (find_package, pkg-config, examples)"
bash tests/postinstall/run.sh build

if [[ "${SKIP_ASAN:-0}" != 1 ]]; then
  step "unit tests under ASan+UBSan"
  BUILD_DIR=build-asan bash -c 'cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DCREODIAS_SANITIZE=ON -DCREODIAS_BUILD_BENCH=OFF -DCREODIAS_BUILD_EXAMPLES=OFF \
      $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null \
    && cmake --build build-asan -j "$(nproc)"'
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -L unit -j 2 --timeout 900)
fi

if [[ "${SKIP_FUZZ:-0}" != 1 ]]; then
  step "fuzz targets (${FUZZ_SECONDS:-15} s each)"
  bash tests/fuzz/run.sh "${FUZZ_SECONDS:-15}"
fi

step "all tests passed"
