#!/usr/bin/env bash
# Configures and builds libcreodias (library, CLI, Python module, tests, examples,
# benchmarks) into build/, then installs the Python package into .venv (a virtualenv on
# Debian's /usr/bin/python3 with system site-packages), reusing the module just built.
# Idempotent; uses ccache when present. Env: BUILD_DIR (default build), BUILD_TYPE.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
JOBS=${JOBS:-$(nproc)}

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" "${launcher[@]}" \
  -DCREODIAS_BUILD_PYTHON=ON -DPython3_EXECUTABLE=/usr/bin/python3 \
  -DCMAKE_INSTALL_PREFIX="$PWD/$BUILD_DIR/install" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"

# Python package: pip install from the source tree, offline, reusing the built module.
if [[ ! -x .venv/bin/python ]]; then
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
CREODIAS_PREBUILT_DIR="$PWD/$BUILD_DIR" .venv/bin/python -m pip install --quiet --no-build-isolation \
  --no-deps --no-index --disable-pip-version-check . >/dev/null
echo "build: OK ($BUILD_DIR; Python package installed in .venv)"
