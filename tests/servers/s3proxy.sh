#!/usr/bin/env bash
# An nginx proxy in front of the test RGW that behaves like a quota-limited eodata store
# (the CDSE general-user quota by default): per client at most PROXY_CONNECTIONS connections
# (more: 429 TooManyRequests), PROXY_RATE bytes/s per connection, PROXY_REQUESTS requests/s
# with a burst of PROXY_BURST (more: 503 SlowDown), both as S3 XML error documents. The Host
# header is passed through, so SigV4 signatures still validate end to end.
#
#   tests/servers/s3proxy.sh start UPSTREAM_PORT [PORT]   prints the state directory
#   tests/servers/s3proxy.sh stop DIR                     stops this instance by PID
#
# Defaults: PORT 7481, PROXY_CONNECTIONS 4, PROXY_RATE 20m, PROXY_REQUESTS 20, PROXY_BURST 5.
# DIR/access.log has one line per request: "<status> <method> <uri>".
set -euo pipefail

die() { echo "s3proxy.sh: $*" >&2; exit 1; }

start() {
  local upstream=$1 port=${2:-7481} dir i
  command -v nginx >/dev/null || die "nginx not found (run scripts/setup.sh)"
  ss -Hltn "sport = :$port" | grep -q . && die "port $port is taken"
  dir=$(mktemp -d -t creodias-s3proxy.XXXXXX)
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  log_format brief '\$status \$request_method \$request_uri \$body_bytes_sent';
  access_log $dir/access.log brief;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  limit_conn_zone \$binary_remote_addr zone=perclient:1m;
  limit_req_zone \$binary_remote_addr zone=reqrate:1m rate=${PROXY_REQUESTS:-20}r/s;
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 0;
    limit_conn perclient ${PROXY_CONNECTIONS:-4};
    limit_conn_status 429;
    limit_req zone=reqrate burst=${PROXY_BURST:-5} nodelay;
    limit_req_status 503;
    limit_rate ${PROXY_RATE:-20m};
    proxy_limit_rate ${PROXY_RATE:-20m};
    error_page 503 = @slowdown;
    error_page 429 = @toomany;
    location @slowdown {
      default_type application/xml;
      return 503 '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    }
    location @toomany {
      default_type application/xml;
      return 429 '<Error><Code>TooManyRequests</Code><Message>Too many connections.</Message></Error>';
    }
$(if [[ -n ${PROXY_HTML_TRAP:-} ]]; then cat <<TRAP
    # Objects whose key contains /html-trap/ are answered with an HTML page and status 200,
    # as a captive portal or a misconfigured gateway would.
    location ~ /html-trap/ {
      default_type text/html;
      return 200 '<!DOCTYPE html><html><head><title>Login</title></head><body>Please sign in.</body></html>';
    }
TRAP
fi)
    location / {
      proxy_pass http://127.0.0.1:$upstream;
      proxy_set_header Host \$http_host;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
      proxy_buffering on;
      proxy_max_temp_file_size 0;
    }
  }
}
EOF
  nginx -q -t -c "$dir/nginx.conf" 2>"$dir/check.log" || { cat "$dir/check.log" >&2; rm -rf "$dir"; die "bad configuration"; }
  nginx -c "$dir/nginx.conf" 2>>"$dir/error.log"
  for ((i = 0; i < 50; i++)); do
    [[ -s $dir/nginx.pid ]] && ss -Hltn "sport = :$port" | grep -q . && break
    sleep 0.1
  done
  [[ -s $dir/nginx.pid ]] || die "nginx did not start; see $dir/error.log"
  echo "$dir"
}

stop() {
  local dir=$1 pid i
  [[ -f $dir/nginx.conf ]] || die "not an s3proxy.sh directory: $dir"
  if [[ -s $dir/nginx.pid ]]; then
    pid=$(cat "$dir/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

# The server dies: master and workers get SIGKILL, connections drop mid-transfer.
kill_now() {
  local dir=$1 pid
  [[ -s $dir/nginx.pid ]] || die "no nginx.pid in $dir"
  pid=$(cat "$dir/nginx.pid")
  kill -STOP "$pid" 2>/dev/null || true   # no respawning of the workers killed next
  pkill -KILL -P "$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/nginx.pid"
}

case ${1:-} in
  start) [[ -n ${2:-} ]] || die "usage: s3proxy.sh start UPSTREAM_PORT [PORT]"; start "$2" "${3:-}" ;;
  stop) [[ -n ${2:-} ]] || die "usage: s3proxy.sh stop DIR"; stop "$2" ;;
  kill) [[ -n ${2:-} ]] || die "usage: s3proxy.sh kill DIR"; kill_now "$2" ;;
  *) die "usage: s3proxy.sh start UPSTREAM_PORT [PORT] | stop DIR | kill DIR" ;;
esac
