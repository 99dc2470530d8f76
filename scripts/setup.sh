#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of libcreodias from Debian 12
# packages. Idempotent: packages already present are not reinstalled, and apt is not
# touched at all when nothing is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git clang libclang-rt-14-dev
  # libraries the C++ library links
  libgdal-dev libproj-dev libcurl4-openssl-dev libsqlite3-dev libspatialite-dev
  libsqlite3-mod-spatialite libfmt-dev nlohmann-json3-dev libpugixml-dev libzip-dev
  libgeos-dev libboost-test-dev libssl-dev
  # tiles: encoders and the HTTP server
  libspng-dev libwebp-dev libjpeg62-turbo-dev libmicrohttpd-dev
  # Python bindings and tests (Debian's interpreter, /usr/bin/python3)
  python3 python3-dev python3-pip python3-setuptools python3-venv pybind11-dev python3-pybind11
  python3-numpy python3-pytest python3-gdal
  # independent oracles and tools used by the tests
  gdal-bin sqlite3 spatialite-bin libxml2-utils zip unzip b3sum
  # benchmark peer (bench/run_catalogue.sh: a throw-away PostgreSQL + PostGIS, libpq client)
  postgresql-15 postgresql-15-postgis-3 libpq-dev
  # S3 peer for the product-access tests (tests/servers/rgw.sh: Ceph RGW, memstore, loopback),
  # the nginx quota/fault proxy in front of it, and the transfer peers of the benchmark
  radosgw ceph-mon ceph-osd ceph-common uuid-runtime iproute2 curl nginx-light awscli rclone
  # tiles: the viewer test (Debian's chromium driven by playwright-core from npm), the folium
  # helper test, and the tile benchmark peers (MapServer's map2img, wrk)
  chromium python3-folium mapserver-bin wrk
)
# Node.js with npm for the viewer's npm packages: the machine's own when present (a newer
# build), else Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all Debian packages present"
fi

# The viewer's npm packages (Leaflet, bundled into the build; playwright-core for its test).
bash "$(dirname "$0")/viewer.sh"
