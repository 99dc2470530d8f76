#!/usr/bin/env bash
# A plain HTTP file server (nginx) for the HTTP backend tests: serves DIR/www on 127.0.0.1.
#   - anything under /private/ needs "Authorization: Bearer <token>" (else 401 with a
#     WWW-Authenticate challenge); the token comes from $HTTP_BEARER_TOKEN, else from the
#     file DIR/token; with neither, /private/ always answers 401;
#   - anything under /norange/ ignores Range headers (max_ranges 0: 200 and the whole file),
#     as some servers do.
# HEAD answers carry Content-Length and nginx's ETag; Range requests get 206 elsewhere.
#
#   tests/servers/http.sh start DIR [PORT]   serves DIR/www; prints the base URL
#   tests/servers/http.sh stop DIR           stops this instance by PID
#
# Defaults: PORT 7490. nginx's own state (configuration, PID, logs, temporary directories)
# lives in DIR/nginx, which stop removes; DIR/www is left alone.
# DIR/nginx/access.log has one line per request: "<status> <method> <uri> <range>".
set -euo pipefail

die() { echo "http.sh: $*" >&2; exit 1; }

start() {
  local dir=$1 port=${2:-7490} state token="" user_line="" i
  command -v nginx >/dev/null || die "nginx not found (run scripts/setup.sh)"
  [[ -d $dir/www ]] || die "no directory to serve: $dir/www"
  [[ $port =~ ^[0-9]+$ ]] || die "bad port: $port"
  ss -Hltn "sport = :$port" | grep -q . && die "port $port is taken"
  dir=$(cd "$dir" && pwd)
  state=$dir/nginx
  [[ -e $state ]] && die "$state exists: already started, or left over (stop it first)"
  if [[ -n ${HTTP_BEARER_TOKEN:-} ]]; then
    token=$HTTP_BEARER_TOKEN
  elif [[ -f $dir/token ]]; then
    token=$(tr -d '\r\n' <"$dir/token")
  fi
  # The token goes into the configuration as a string: RFC 6750 token68 characters only.
  [[ -z $token || $token =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "the token has characters a bearer token may not have"
  # As root, the workers would run as nobody and might not reach DIR/www.
  [[ $(id -u) -eq 0 ]] && user_line="user $(id -un) $(id -gn);"
  mkdir -p "$state"
  if [[ -n ${HTTP_TLS:-} ]]; then  # HTTPS + HTTP/2 with a throw-away self-signed certificate
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$state/key.pem" -out "$state/cert.pem" 2>/dev/null ||
      { rm -rf "$state"; die "openssl cannot make a certificate"; }
  fi
  cat >"$state/nginx.conf" <<EOF
$user_line
worker_processes 1;
pid $state/nginx.pid;
error_log $state/error.log;
events { worker_connections 256; }
http {
  types { text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  log_format brief '\$status \$request_method \$request_uri "\$http_range" \$server_protocol';
  access_log $state/access.log brief;
  client_body_temp_path $state/client_body;
  proxy_temp_path $state/proxy;
  fastcgi_temp_path $state/fastcgi;
  uwsgi_temp_path $state/uwsgi;
  scgi_temp_path $state/scgi;
  sendfile on;
  autoindex off;
  map \$http_authorization \$bearer_ok {
    default 0;
$([[ -n $token ]] && echo "    \"Bearer $token\" 1;")
  }
  server {
    listen 127.0.0.1:$port$([[ -n ${HTTP_TLS:-} ]] && echo " ssl http2");
$([[ -n ${HTTP_TLS:-} ]] && printf '    ssl_certificate %s;\n    ssl_certificate_key %s;\n' "$state/cert.pem" "$state/key.pem")
    root $dir/www;
    location /private/ {
      if (\$bearer_ok = 0) {
        add_header WWW-Authenticate 'Bearer realm="creodias-test"' always;
        return 401;
      }
    }
    location /norange/ {
      max_ranges 0;
    }
  }
}
EOF
  nginx -q -t -p "$state/" -c "$state/nginx.conf" 2>"$state/check.log" || {
    cat "$state/check.log" >&2; rm -rf "$state"; die "bad configuration"; }
  nginx -p "$state/" -c "$state/nginx.conf" 2>>"$state/error.log"
  for ((i = 0; i < 50; i++)); do
    [[ -s $state/nginx.pid ]] && ss -Hltn "sport = :$port" | grep -q . && break
    sleep 0.1
  done
  if ! [[ -s $state/nginx.pid ]] || ! ss -Hltn "sport = :$port" | grep -q .; then
    cat "$state/error.log" >&2 || true
    stop "$dir" || true
    die "nginx did not start on port $port"
  fi
  if [[ -n ${HTTP_TLS:-} ]]; then echo "https://127.0.0.1:$port"; else echo "http://127.0.0.1:$port"; fi
}

stop() {
  local dir=$1 state pid i
  state=$dir/nginx
  [[ -f $state/nginx.conf ]] || die "not an http.sh directory: $dir"
  if [[ -s $state/nginx.pid ]]; then
    pid=$(cat "$state/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$state"
}

case ${1:-} in
  start) [[ -n ${2:-} ]] || die "usage: http.sh start DIR [PORT]"; start "$2" "${3:-}" ;;
  stop) [[ -n ${2:-} ]] || die "usage: http.sh stop DIR"; stop "$2" ;;
  *) die "usage: http.sh start DIR [PORT] | stop DIR" ;;
esac
