#!/usr/bin/env bash
# The catalogue benchmark in one command:
#
#   bash bench/run_catalogue.sh [--records N] [--no-postgis] [--keep] [other creodias_bench_catalogue options]
#
# Builds creodias_bench_catalogue (through the shared build lock), starts a throw-away
# PostgreSQL 15 + PostGIS server on 127.0.0.1 (a free port, data and socket in a temporary
# directory, run as the `postgres` system user when invoked as root), runs the benchmark
# against it, stops the server by its PID (also on error or Ctrl-C) and prints the result
# table. The same table is written as Markdown to build/bench/catalogue-results-N.md.
#
# Needs: scripts/setup.sh's packages (postgresql-15, postgresql-15-postgis-3, libpq-dev).
# Environment: BUILD_DIR (default build), CREODIAS_FIXTURES, PG_BIN (default
# /usr/lib/postgresql/15/bin), BENCH_TMP (parent of the temporary directory, default /tmp).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
LOCK=/tmp/creodias-build.lock

records=1000000
use_pg=1
keep=0
pass=()
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --records=*) records=${1#*=}; shift ;;
    --no-postgis) use_pg=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done
[[ $records =~ ^[0-9]+$ ]] || { echo "run_catalogue: --records needs a number" >&2; exit 2; }

# ---- build (one build at a time on this machine: always through the lock) ---------------------
echo "run_catalogue: building creodias_bench_catalogue" >&2
( cd "$ROOT" && flock "$LOCK" cmake "$BUILD_DIR" >/dev/null \
  && flock "$LOCK" ninja -C "$BUILD_DIR" creodias_bench_catalogue >&2 )
BENCH=$BUILD_DIR/bench/creodias_bench_catalogue

WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/creodias-bench.XXXXXX")
PG_PID=""
PG_DATA="$WORK/pg/data"
PG_SOCK="$WORK/pg/sock"

as_pg() {
  # PostgreSQL refuses to run as root.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_pg() {
  [[ -n $PG_PID ]] || return 0
  if kill -0 "$PG_PID" 2>/dev/null; then
    echo "run_catalogue: stopping PostgreSQL (pid $PG_PID)" >&2
    kill -INT "$PG_PID" 2>/dev/null || true   # fast shutdown
    for _ in $(seq 60); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$PG_PID" 2>/dev/null; then
      kill -QUIT "$PG_PID" 2>/dev/null || true  # immediate shutdown
      for _ in $(seq 20); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.5; done
    fi
    kill -0 "$PG_PID" 2>/dev/null && kill -KILL "$PG_PID" 2>/dev/null || true
  fi
  PG_PID=""
}

cleanup() {
  local rc=$?
  stop_pg
  if ((keep)); then echo "run_catalogue: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

pg_args=()
if ((use_pg)); then
  [[ -x $PG_BIN/postgres ]] || { echo "run_catalogue: $PG_BIN/postgres missing (run scripts/setup.sh)" >&2; exit 1; }
  chmod 755 "$WORK"
  mkdir -p "$PG_DATA" "$PG_SOCK"
  [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$WORK/pg"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U bench --auth=trust --encoding=UTF8 --no-locale --no-sync >"$WORK/pg/initdb.log" 2>&1 \
    || { cat "$WORK/pg/initdb.log" >&2; exit 1; }
  PORT=$(free_port)
  # Tuned for this machine (2 cores, 24 GiB). A throw-away server: durability settings
  # that only matter after a crash are relaxed, as for our store (WAL, synchronous=NORMAL).
  cat >>"$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PG_SOCK'
shared_buffers = 2GB
effective_cache_size = 16GB
work_mem = 64MB
maintenance_work_mem = 1GB
random_page_cost = 1.1
effective_io_concurrency = 200
jit = off
max_worker_processes = 8
max_parallel_workers = 2
max_parallel_workers_per_gather = 2
max_parallel_maintenance_workers = 2
wal_level = minimal
max_wal_senders = 0
synchronous_commit = off
max_wal_size = 8GB
checkpoint_timeout = 30min
autovacuum = off
logging_collector = off
CONF
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/server.log" -w -t 60 start >&2 \
    || { cat "$WORK/pg/server.log" >&2; exit 1; }
  PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
  echo "run_catalogue: PostgreSQL pid $PG_PID on 127.0.0.1:$PORT" >&2
  pg_args=(--pg "host=127.0.0.1 port=$PORT user=bench dbname=postgres")
fi

mkdir -p "$BUILD_DIR/bench"
MD=$BUILD_DIR/bench/catalogue-results-$records.md
"$BENCH" --records "$records" --work "$WORK/bench" --markdown "$MD" "${pg_args[@]}" "${pass[@]}"
echo "run_catalogue: Markdown table in $MD" >&2
