#!/usr/bin/env bash
# Installs the build into BUILD/install, then builds and runs (1) the consumer project with
# find_package(creodias CONFIG), (2) a one-file program with pkg-config, (3) the examples
# stand-alone against the installed package.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
PREFIX="$PWD/$BUILD/install"
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
work="$PWD/$BUILD/postinstall"
rm -rf "$work" && mkdir -p "$work"
cmake -S tests/postinstall -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer" "$work/consumer.db"
# pkg-config
PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig:$PREFIX/lib/x86_64-linux-gnu/pkgconfig" \
  g++ -std=c++17 tests/postinstall/main.cpp -o "$work/pkgconfig_consumer" \
  $(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig:$PREFIX/lib/x86_64-linux-gnu/pkgconfig" pkg-config --cflags --libs creodias) \
  -Wl,-rpath,"$(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig:$PREFIX/lib/x86_64-linux-gnu/pkgconfig" pkg-config --variable=libdir creodias)"
"$work/pkgconfig_consumer" "$work/pkgconfig.db"
# examples against the installed package
cmake -S examples -B "$work/examples" -G Ninja -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$work/examples" >/dev/null
echo "postinstall: OK (find_package, pkg-config, examples)"
