#!/usr/bin/env bash
# A throw-away Ceph RGW for the S3 tests and benchmarks: one monitor, one OSD keeping objects
# in RAM (memstore), one radosgw, all on 127.0.0.1. RGW validates SigV4, so a wrong secret
# is refused as it is on the CREODIAS/CDSE eodata stores (also Ceph RGW).
#
#   tests/servers/rgw.sh start [DIR]   starts the daemons in DIR (default: a new temporary
#                                      directory), creates the test user, prints DIR; DIR/env
#                                      holds the endpoint and keys as shell assignments
#   tests/servers/rgw.sh stop DIR      stops the daemons by the PIDs they wrote, waits for
#                                      them, removes DIR
#
# The monitor must listen on 6789 (the ceph tools hang on other ports), so only one such
# cluster runs at a time on a machine: start refuses when 6789 is taken. The S3 port is
# RGW_PORT (default 7480). Every wait is bounded.
set -euo pipefail

ACCESS_KEY=CREODIASTESTKEY00001
SECRET_KEY=creodias-test-secret-0000000000000000001
MON_PORT=6789

die() { echo "rgw.sh: $*" >&2; exit 1; }

port_in_use() { ss -Hltn "sport = :$1" | grep -q .; }

wait_gone() {  # pid, seconds
  local pid=$1 i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  local dir=$1 name pid
  [[ -d $dir && -f $dir/ceph.conf ]] || die "not an rgw.sh directory: $dir"
  for name in client.rgw.local osd.0 mon.a; do
    [[ -f $dir/run/$name.pid ]] || continue
    pid=$(cat "$dir/run/$name.pid")
    kill -TERM "$pid" 2>/dev/null || continue
    wait_gone "$pid" 20
  done
  rm -rf "$dir"
}

start() {
  local dir=${1:-} port=${RGW_PORT:-7480}
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool uuidgen curl ss; do
    command -v "$tool" >/dev/null || die "$tool not found (run scripts/setup.sh)"
  done
  # A cluster that was just stopped may still hold the port for a moment: wait (bounded).
  for ((i = 0; i < 150; i++)); do port_in_use "$MON_PORT" || port_in_use "$port" || break; sleep 0.2; done
  port_in_use "$MON_PORT" && die "port $MON_PORT is taken (another Ceph monitor?)"
  port_in_use "$port" && die "port $port is taken (set RGW_PORT)"
  [[ -n $dir ]] || dir=$(mktemp -d -t creodias-rgw.XXXXXX)
  mkdir -p "$dir"/{mon-a,osd-0,run,log,rgw}
  local fsid
  fsid=$(uuidgen)
  # No cephx inside the cluster (loopback only); S3 clients still authenticate with SigV4.
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind msgr2 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
osd objectstore = memstore
memstore device bytes = ${RGW_MEMSTORE_BYTES:-6442450944}
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = $dir/keyring
mon data = $dir/mon-\$id
osd data = $dir/osd-\$id
[client.rgw.local]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
# Virtual-hosted addressing as well as path style: http://BUCKET.localhost:PORT/KEY
# (BUCKET.localhost resolves to 127.0.0.1 in libcurl and most resolvers).
rgw dns name = localhost
EOF
  local conf=(-c "$dir/ceph.conf") uuid id
  # From here on, a failure reports where it happened and the daemons' last log lines, then
  # stops whatever was started.
  trap 'rc=$?; echo "rgw.sh: startup failed at line $LINENO (exit status $rc)" >&2;
        tail -n 5 "$dir"/log/*.log >&2 2>/dev/null || true; stop "$dir" >/dev/null 2>&1 || true; exit $rc' ERR
  monmaptool --create --add a "127.0.0.1:$MON_PORT" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
  ceph-mon "${conf[@]}" -i a
  uuid=$(uuidgen)
  id=$(timeout 60 ceph "${conf[@]}" osd new "$uuid")
  ceph-osd "${conf[@]}" -i "$id" --mkfs --osd-uuid "$uuid" 2>/dev/null
  ceph-osd "${conf[@]}" -i "$id" 2>>"$dir/log/startup.log"
  radosgw "${conf[@]}" -n client.rgw.local 2>>"$dir/log/startup.log"
  local i ready=0
  for ((i = 0; i < 120; i++)); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then ready=1; break; fi
    sleep 0.5
  done
  ((ready)) || { echo "rgw.sh: radosgw did not answer within 60 s; see $dir/log" >&2; false; }
  timeout 60 radosgw-admin "${conf[@]}" user create --uid=creodias-test --display-name="libcreodias tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  cat >"$dir/env" <<EOF
RGW_ENDPOINT=http://127.0.0.1:$port
RGW_ACCESS_KEY=$ACCESS_KEY
RGW_SECRET_KEY=$SECRET_KEY
EOF
  trap - ERR
  echo "$dir"
}

# A cluster that fails to come up (rare: a daemon exiting early under load) is started once
# more from scratch before giving up.
# (Each attempt is its own process: errexit does not apply inside an `if` condition.)
start_with_retry() {
  local out
  if out=$(bash "$0" start-once "$@"); then echo "$out"; return 0; fi
  echo "rgw.sh: retrying once" >&2
  sleep 2
  bash "$0" start-once "$@"
}

case ${1:-} in
  start) start_with_retry "${2:-}" ;;
  start-once) start "${2:-}" ;;
  stop) [[ -n ${2:-} ]] || die "usage: rgw.sh stop DIR"; stop "$2" ;;
  *) die "usage: rgw.sh start [DIR] | stop DIR" ;;
esac
