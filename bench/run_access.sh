#!/usr/bin/env bash
# The product-access benchmark in one command:
#
#   bash bench/run_access.sh [--runs N] [--quota-mib M] [--keep]
#
# Starts a throw-away Ceph RGW on 127.0.0.1 (tests/servers/rgw.sh), uploads 1 GiB (one
# 512 MiB file + 64 x 8 MiB files, with the AWS CLI: multipart ETags), then, N times each
# (default 3, order rotated), downloads it with `creodias get` (checksums verified),
# `aws s3 cp --recursive` and `rclone copy`, measuring wall time, CPU time and peak RSS
# (/usr/bin/time). Then, through the nginx quota proxy (tests/servers/s3proxy.sh, 4
# connections x 20 MB/s each), a parallel download against a single stream; and a 512x512
# window read of a 10980x10980 band in place (/vsis3/) against downloading the file first,
# counting the requests in the proxy's log. Prints the tables (medians) and writes them to
# build/bench/access-results.md. Stops every server by PID, also on error or Ctrl-C.
#
# Needs scripts/setup.sh's packages (radosgw, ceph-*, nginx-light, awscli, rclone,
# python3-gdal, python3-numpy). Environment: BUILD_DIR (default build), BENCH_TMP (default /tmp).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
LOCK=/tmp/creodias-build.lock
CLI=$BUILD_DIR/src/cli/creodias
PY=/usr/bin/python3

runs=3
quota_mib=128
keep=0
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --quota-mib) quota_mib=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run_access: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "run_access: --runs needs a positive number" >&2; exit 2; }

echo "run_access: building" >&2
( cd "$ROOT" && flock "$LOCK" cmake "$BUILD_DIR" >/dev/null && flock "$LOCK" ninja -C "$BUILD_DIR" creodias_cli _creodias >/dev/null )

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/creodias-bench-access.XXXXXX")
RGW_DIR=""
PROXIES=()
cleanup() {
  local d
  for d in "${PROXIES[@]}"; do bash "$ROOT/tests/servers/s3proxy.sh" stop "$d" >/dev/null 2>&1 || true; done
  [[ -n $RGW_DIR ]] && bash "$ROOT/tests/servers/rgw.sh" stop "$RGW_DIR" >/dev/null 2>&1 || true
  if ((keep)); then echo "run_access: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "run_access: starting Ceph RGW" >&2
RGW_DIR=$(bash "$ROOT/tests/servers/rgw.sh" start "$WORK/rgw" | tail -1)
set -a; . "$RGW_DIR/env"; set +a
export AWS_ACCESS_KEY_ID=$RGW_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$RGW_SECRET_KEY AWS_DEFAULT_REGION=us-east-1 \
       AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE
RCLONE=(env -u AWS_CA_BUNDLE -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE rclone --config /dev/null --s3-provider Ceph --s3-endpoint "$RGW_ENDPOINT"
        --s3-access-key-id "$RGW_ACCESS_KEY" --s3-secret-access-key "$RGW_SECRET_KEY")

echo "run_access: writing and uploading 1 GiB" >&2
mkdir -p "$WORK/src/data/small"
head -c $((512 << 20)) /dev/urandom >"$WORK/src/data/big.bin"
for ((k = 0; k < 64; k++)); do head -c $((8 << 20)) /dev/urandom >"$WORK/src/data/small/f$k.bin"; done
aws --endpoint-url "$RGW_ENDPOINT" s3 mb s3://bench >/dev/null
aws --endpoint-url "$RGW_ENDPOINT" s3 cp --recursive --only-show-errors "$WORK/src/data" s3://bench/data

# measure NAME COMMAND...: appends "name wall cpu rss_kb status" to $WORK/times
measure() {
  local name=$1; shift
  local status=0
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/t.$name" "$@" >"$WORK/out.$name" 2>"$WORK/err.$name" || status=$?
  read -r wall user sys rss <"$WORK/t.$name" || true
  [[ $wall =~ ^[0-9.]+$ ]] || { wall=$(tail -1 "$WORK/t.$name" | cut -d' ' -f1); user=0; sys=0; rss=0; }
  echo "$name $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss $status" >>"$WORK/times"
}

check_tree() {  # TOOL DIR: the downloaded tree equals the source
  diff -rq "$WORK/src/data" "$2" >/dev/null ||
    { echo "run_access: $1: $2 differs from the source:" >&2; tail -5 "$WORK/err.$1" >&2; exit 1; }
}

tools=(creodias aws rclone noverify)
for ((r = 0; r < runs; r++)); do
  for ((t = 0; t < 4; t++)); do
    tool=${tools[(r + t) % 4]}
    dest=$WORK/dst-$tool
    rm -rf "$dest"
    echo "run_access: run $((r + 1))/$runs $tool" >&2
    case $tool in
      creodias) measure creodias "$CLI" get s3://bench/data --dest "$dest" --endpoint "$RGW_ENDPOINT" --json ;;
      noverify) measure noverify "$CLI" get s3://bench/data --dest "$dest" --endpoint "$RGW_ENDPOINT" --json --no-verify ;;
      aws) measure aws aws --endpoint-url "$RGW_ENDPOINT" s3 cp --recursive --only-show-errors s3://bench/data "$dest/data" ;;
      rclone) measure rclone "${RCLONE[@]}" copy :s3:bench/data "$dest/data" ;;
    esac
    check_tree "$tool" "$dest/data"
    rm -rf "$dest"
  done
done
grep -q '"verified": 65' "$WORK/out.creodias" || { echo "run_access: creodias did not verify all 65 files" >&2; exit 1; }

# ---- quota proxy: 4 connections x 20 MB/s ------------------------------------------------------
echo "run_access: quota proxy (4 x 20 MB/s), ${quota_mib} MiB" >&2
head -c $((quota_mib << 20)) /dev/urandom >"$WORK/src/quota.bin"
"$CLI" put "$WORK/src/quota.bin" s3://bench/quota/quota.bin --endpoint "$RGW_ENDPOINT" >/dev/null
port=7495
PROXY_DIR=$(PROXY_CONNECTIONS=4 PROXY_RATE=20m PROXY_REQUESTS=100 PROXY_BURST=50 \
  bash "$ROOT/tests/servers/s3proxy.sh" start "${RGW_ENDPOINT##*:}" $port | tail -1)
PROXIES+=("$PROXY_DIR")
proxy=http://127.0.0.1:$port
rm -rf "$WORK/q1" "$WORK/q4"
mkdir -p "$WORK/q1"
measure single sh -c "'$CLI' cat s3://bench/quota/quota.bin --endpoint '$proxy' >'$WORK/q1/quota.bin'"
measure parallel "$CLI" get s3://bench/quota/quota.bin --dest "$WORK/q4" --endpoint "$proxy" --jobs 8 \
  --max-connections 4 --json
cmp -s "$WORK/src/quota.bin" "$WORK/q1/quota.bin" && cmp -s "$WORK/src/quota.bin" "$WORK/q4/quota.bin" ||
  { echo "run_access: quota downloads differ from the source" >&2; exit 1; }
refused=$(awk '$1 == 429 || $1 == 503' "$PROXY_DIR/access.log" | wc -l)

# ---- window read in place vs download first ----------------------------------------------------
echo "run_access: window read (10980 x 10980 UInt16 band)" >&2
port=7496
WIN_PROXY=$(PROXY_CONNECTIONS=64 PROXY_RATE=0 PROXY_REQUESTS=10000 PROXY_BURST=10000 \
  bash "$ROOT/tests/servers/s3proxy.sh" start "${RGW_ENDPOINT##*:}" $port | tail -1)
PROXIES+=("$WIN_PROXY")
PYTHONPATH=$BUILD_DIR/python "$PY" "$ROOT/bench/window_read.py" --work "$WORK" --cli "$CLI" \
  --rgw "$RGW_ENDPOINT" --proxy "http://127.0.0.1:$port" --log "$WIN_PROXY/access.log" >"$WORK/window.md"

# ---- tables --------------------------------------------------------------------------------------
mkdir -p "$BUILD_DIR/bench"
out=$BUILD_DIR/bench/access-results.md
"$PY" - "$WORK/times" "$refused" "$quota_mib" >"$out" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
refused, quota_mib = int(sys.argv[2]), int(sys.argv[3])
by = {}
for name, wall, cpu, rss, status in rows:
    by.setdefault(name, []).append((float(wall), float(cpu), int(rss), int(status)))
def med(name, i):
    return statistics.median(v[i] for v in by[name])
gib = 1.0
print("Download of 1 GiB (512 MiB + 64 x 8 MiB) from Ceph RGW on 127.0.0.1, medians of", len(by["creodias"]), "runs\n")
print("| tool | wall s | MiB/s | time / creodias time | CPU s/GiB | peak RSS MiB | failures |")
print("|---|---:|---:|---:|---:|---:|---:|")
c = med("creodias", 0)
for name, label in (("creodias", "creodias get (default: every file verified)"),
                    ("noverify", "creodias get --no-verify"), ("aws", "aws s3 cp --recursive"),
                    ("rclone", "rclone copy")):
    w = med(name, 0)
    fails = sum(1 for v in by[name] if v[3] != 0)
    print(f"| {label} | {w:.2f} | {1024 / w:.0f} | {w / c:.2f}x | {med(name, 1) / gib:.2f} | "
          f"{max(v[2] for v in by[name]) / 1024:.0f} | {fails} |")
n = med("noverify", 0)
print(f"\nratios (peer time / creodias time): verified vs aws-cli {med('aws', 0) / c:.2f}x, vs rclone "
      f"{med('rclone', 0) / c:.2f}x; --no-verify vs aws-cli {med('aws', 0) / n:.2f}x, vs rclone {med('rclone', 0) / n:.2f}x")
s, p = by["single"][0][0], by["parallel"][0][0]
print(f"\nThrough the quota proxy (4 connections x 20 MB/s each), {quota_mib} MiB\n")
print("| download | wall s | MB/s | speed-up |")
print("|---|---:|---:|---:|")
print(f"| single stream (creodias cat: one GET, one connection) | {s:.2f} | {quota_mib * 1.048576 / s:.1f} | 1.00x |")
print(f"| parallel (--jobs 8 --max-connections 4) | {p:.2f} | {quota_mib * 1.048576 / p:.1f} | {s / p:.2f}x |")
print(f"\nrequests refused by the proxy (429/503): {refused}; errors surfacing to the user: "
      f"{sum(1 for n in ('single', 'parallel') for v in by[n] if v[3] != 0)}")
EOF
cat "$WORK/window.md" >>"$out"
cat "$out"
