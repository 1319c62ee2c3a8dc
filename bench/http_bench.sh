#!/bin/bash
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# http_bench (issue 16): GET /v1/records with 1,000 records from faild's HTTP API, in
# requests per second, against nginx serving the same JSON from a file, in the same run
# (goal: at least 0.5 x nginx). wrk drives both on loopback, alternating A B A B; the
# medians and their ratio are printed. Each server gets one core and one worker, wrk the
# other core (the machine has two).
#   flock /tmp/faild-bench.lock bench/http_bench.sh [--rounds N] [--seconds S] [--connections C]
# Needs nginx (nginx-light) and wrk (bootstrap --test). Builds faild first.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
rounds=3 seconds=5 conns=10 records=1000
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--seconds S] [--connections C] [--records N]" >&2; exit 2 ;;
  esac
done
for p in /usr/sbin/nginx /usr/bin/wrk; do
  [ -x "$p" ] || { echo "http_bench: $p is missing (./bootstrap --test)" >&2; exit 1; }
done
make -s -C "$build" -j2 faild/faild >&2
tmp=$(mktemp -d /tmp/http_bench.XXXXXX)
chmod 755 "$tmp"  # nginx's worker runs as nobody
faild_pid="" nginx_pid=""
cleanup() {
  [ -n "$faild_pid" ] && kill "$faild_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -z "${KEEP:-}" ] || trap - EXIT

# A free loopback port: bind 0, read it back, let it go.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# faild on core 0, its records set over the protocol.
taskset -c 0 "$build/faild/faild" --memory -l 127.0.0.1:0 --http 127.0.0.1:0 2>"$tmp/faild.log" &
faild_pid=$!
for _ in $(seq 200); do grep -q "HTTP on" "$tmp/faild.log" && break; sleep 0.05; done
proto=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/faild.log" | head -n 1)
http=$(sed -n 's/.*HTTP on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/faild.log" | head -n 1)
[ -n "$http" ] || { cat "$tmp/faild.log" >&2; echo "http_bench: faild did not start" >&2; exit 1; }
python3 - "$proto" "$records" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rwb")
for i in range(n):
    state = ("UP", "FAIL", "RECOVER")[i % 3]
    f.write(f"SET svc{i:04d}.example.test {state} ttl=1h {{note=checked by hc}} latency={i % 97}ms site=dc{i % 4}\n".encode())
f.flush()
for i in range(n):
    if not f.readline().startswith(b"OK"):
        sys.exit("http_bench: a SET failed")
PY
mkdir -p "$tmp/www/v1"
curl -sf "http://127.0.0.1:$http/v1/records" -o "$tmp/www/v1/records"
bytes=$(stat -c %s "$tmp/www/v1/records")

# nginx on core 0 too, one worker, the same JSON as a file.
nport=$(free_port)
cat > "$tmp/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  types { }
  default_type application/json;
  client_body_temp_path $tmp/ngx-body;
  proxy_temp_path $tmp/ngx-proxy;
  fastcgi_temp_path $tmp/ngx-fcgi;
  uwsgi_temp_path $tmp/ngx-uwsgi;
  scgi_temp_path $tmp/ngx-scgi;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
  }
}
NGX
taskset -c 0 /usr/sbin/nginx -c "$tmp/nginx.conf" -p "$tmp" &
nginx_pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$nport/v1/records" -o /dev/null && break; sleep 0.05; done
cmp -s <(curl -sf "http://127.0.0.1:$nport/v1/records") "$tmp/www/v1/records" ||
  { echo "http_bench: nginx does not serve the file" >&2; exit 1; }

# requests/s of one wrk run against URL.
rate() {
  taskset -c 1 wrk -t1 -c"$conns" -d"${seconds}s" "$1" | awk '/^Requests\/sec:/ { printf "%d\n", $2 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "http_bench: $records records, $bytes bytes of JSON; wrk -t1 -c$conns -d${seconds}s, $rounds rounds A B" >&2
: > "$tmp/faild.rates"
: > "$tmp/nginx.rates"
for r in $(seq "$rounds"); do
  f=$(rate "http://127.0.0.1:$http/v1/records")
  n=$(rate "http://127.0.0.1:$nport/v1/records")
  echo "round $r: faild $f/s, nginx $n/s" >&2
  echo "$f" >> "$tmp/faild.rates"
  echo "$n" >> "$tmp/nginx.rates"
done
fm=$(median < "$tmp/faild.rates")
nm=$(median < "$tmp/nginx.rates")
ratio=$(awk -v f="$fm" -v n="$nm" 'BEGIN { printf "%.2f", f / n }')
echo "GET /v1/records ($records records, $bytes B): faild $fm req/s, nginx $nm req/s (file), ratio $ratio (goal >= 0.5); load $(cut -d' ' -f1-3 /proc/loadavg)"
