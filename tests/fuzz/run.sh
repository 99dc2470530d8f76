#!/usr/bin/env bash
# Builds the fuzz targets with clang (build-fuzz/) and runs each for SECONDS seconds,
# seeded with the real fixtures. Fails on any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-20}
FIX=${CREODIAS_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCREODIAS_BUILD_FUZZERS=ON -DCREODIAS_BUILD_TESTS=OFF -DCREODIAS_BUILD_EXAMPLES=OFF \
  -DCREODIAS_BUILD_BENCH=OFF -DCREODIAS_BUILD_CLI=OFF -DCREODIAS_INSTALL=OFF \
  $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null
cmake --build build-fuzz -j "$(nproc)"
seed() { # target -> list of seed files
  case "$1" in
    sentinel2_mtd) find "$FIX/products" -name 'MTD_MSIL*.xml' ;;
    sentinel1_manifest) find "$FIX/products/sentinel1" "$FIX/products/creodias/eodata/Sentinel-1" -name manifest.safe ;;
    safe_checksums) find "$FIX/products/creodias/eodata" -name manifest.safe ;;
    sentinel3_manifest) find "$FIX/products/sentinel3" -name xfdumanifest.xml ;;
    landsat_mtl) find "$FIX/products/landsat" -name '*_MTL.*' ;;
    envisat_header) find "$FIX/products/envisat" -type f ;;
    smos_hdr) find "$FIX/products/smos" -name '*.HDR' ;;
    stac_item) find "$FIX/products/stac" -name '*.json' ;;
    feature_collection) find "$FIX/creodias-api" "$FIX/products/creodias/catalogue" -name '*.json' ;;
    wkt) printf 'POLYGON((179.5 -17,-179.5 -17,-179.6 -16,179.4 -16,179.5 -17))' > build-fuzz/seed_wkt.txt; echo build-fuzz/seed_wkt.txt ;;
    geojson) printf '{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}' > build-fuzz/seed_gj.json; echo build-fuzz/seed_gj.json ;;
    wkb) printf '\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40' > build-fuzz/seed_wkb.bin; echo build-fuzz/seed_wkb.bin ;;
    datetime) printf '2021-04-06T10:20:30.123456+02:00' > build-fuzz/seed_dt.txt; echo build-fuzz/seed_dt.txt ;;
    expression) printf '(B08-B04)/(B08+B04);clamp(db(VV),-25,0)>1?B04:-B03**2' > build-fuzz/seed_expr.txt; echo build-fuzz/seed_expr.txt ;;
    query_args) printf -- '--bbox=-10,35,5,45\n--start\n2024-01-01\n--cloud-max\n20\n--sort\n-cloud\n' > build-fuzz/seed_q.txt; echo build-fuzz/seed_q.txt ;;
  esac
}
for bin in build-fuzz/tests/fuzz/fuzz_*; do
  t=$(basename "$bin"); t=${t#fuzz_}
  corpus="build-fuzz/corpus/$t"; mkdir -p "$corpus"
  while IFS= read -r f; do [[ -f "$f" ]] && cp -f "$f" "$corpus/" ; done < <(seed "$t" || true)
  echo "fuzz: $t for ${SECONDS_PER}s"
  mkdir -p build-fuzz/artifacts
  ASAN_OPTIONS=detect_leaks=1 "$bin" "$corpus" -artifact_prefix=build-fuzz/artifacts/ -max_total_time="$SECONDS_PER" -max_len=262144 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=0 -close_fd_mask=3 2> "build-fuzz/$t.log" \
    || { echo "fuzz: $t FAILED"; tail -50 "build-fuzz/$t.log"; exit 1; }
done
echo "fuzz: all targets ran without a crash"
