#!/usr/bin/env bash
# tests/bench/h2.sh: HTTP/2 over TLS, the site against nginx (listen … ssl
# http2) and h2o, all with the same certificate, measured with h2load
# (Debian's nghttp2-client). Scenario 9 of run.sh (`SCENARIOS=9 make bench`);
# it can also run alone.
#
# Environment (all optional):
#   H2_DURATION=5        seconds per h2load run
#   H2_ROUNDS=1          runs per server and case (the median is kept)
#   H2_SERVERS="site nginx h2o"   (nginx and h2o are skipped when absent)
#   SITE_WORKERS=2       workers of the site and of nginx, threads of h2o
#   H2_PORT_BASE=18580   three consecutive ports from here
#   H2_BENCH_DIR=/tmp/hetao-bench-h2   scratch folder (rebuilt on every run)
#   H2_CASES="1 2 3"     1: press.html gzip, h2load -c 50 -m 10; 2: the same
#                        with -m 1; 3: a 1 MiB file, -c 50 -m 1
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DIR=${H2_BENCH_DIR:-/tmp/hetao-bench-h2}
DURATION=${H2_DURATION:-5}
ROUNDS=${H2_ROUNDS:-1}
SERVERS=${H2_SERVERS:-"site nginx h2o"}
WORKERS=${SITE_WORKERS:-2}
PORT_BASE=${H2_PORT_BASE:-18580}
CASES=${H2_CASES:-"1 2 3"}
GO=${GO:-go}
CLK_TCK=$(getconf CLK_TCK)

log() { printf 'bench h2: %s\n' "$*" >&2; }
die() { printf 'bench h2: FAIL: %s\n' "$*" >&2; exit 1; }

command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
H2O=$(command -v h2o || true)
want=""
for s in $SERVERS; do
	case $s in
	nginx) [ -n "$NGINX" ] || { log "nginx not found: skipped"; continue; } ;;
	h2o) [ -n "$H2O" ] || { log "h2o not found: skipped"; continue; } ;;
	site) ;;
	*) die "unknown server $s (site nginx h2o)" ;;
	esac
	want="$want $s"
done
SERVERS=$want

declare -A ROOT PORT
tree_pids() { # ROOT: pids whose parent chain leads to ROOT, ROOT included
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
		{ pid = $1; s = $0; sub(/.*\) /, "", s); split(s, f, " "); kids[f[2]] = kids[f[2]] " " pid; alive[pid] = 1 }
		END {
			if (!(root in alive)) exit
			q[1] = root; n = 1
			for (i = 1; i <= n; i++) {
				print q[i]
				m = split(kids[q[i]], k, " ")
				for (j = 1; j <= m; j++) q[++n] = k[j]
			}
		}'
}
cpu_ticks() { # ROOT: user+sys clock ticks of every process in the tree
	local p t=0 s
	for p in $(tree_pids "$1"); do
		s=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + $(awk '{ print $12 + $13 }' <<<"$s")))
	done
	echo "$t"
}
stop_tree() { # ROOT SIGNAL
	local pids i
	pids=$(tree_pids "$1")
	[ -n "$pids" ] || return 0
	kill "-$2" $pids 2>/dev/null || true
	for i in $(seq 50); do
		[ -n "$(tree_pids "$1")" ] || return 0
		sleep 0.1
	done
	kill -KILL $(tree_pids "$1") 2>/dev/null || true
}
cleanup() {
	local rc=$? s
	trap - EXIT INT TERM
	for s in "${!ROOT[@]}"; do
		case $s in nginx) stop_tree "${ROOT[$s]}" QUIT ;; *) stop_tree "${ROOT[$s]}" TERM ;; esac
	done
	wait 2>/dev/null || true
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

case $DIR in /|"") die "H2_BENCH_DIR=$DIR" ;; esac
rm -rf "$DIR"
mkdir -p "$DIR"/{bin,www,cert,site,nginx,h2o}
DIR=$(cd "$DIR" && pwd)
WWW=$DIR/www
(cd "$REPO" && $GO build -o "$DIR/bin/hetaoc" ./cmd/hetaoc && $GO build -o "$DIR/bin/cert" ./tests/bench/cert) || die "go build failed"
"$DIR/bin/cert" -dir "$DIR/cert" || die "cannot make a certificate"
cp "$HERE/www/press.html" "$WWW/"
gzip -9 -n -k "$WWW/press.html" # nginx's gzip_static, h2o's file.send-compressed
head -c 1048576 /dev/urandom >"$WWW/1m.bin"

i=0
for s in site nginx h2o; do PORT[$s]=$((PORT_BASE + i)); i=$((i + 1)); done

cat >"$DIR/site/hetao.conf" <<CONF
// written by tests/bench/h2.sh
{
	"worker_processes" : $WORKERS,
	"error_log" : "log/error.log",
	"log_level" : ERROR,
	"limits" : { "max_http_session_count" : 100000, "max_file_cache" : 1024000 },
	"listen" : { "ip" : "127.0.0.1", "port" : ${PORT[site]},
		"ssl" : { "certificate_file" : "$DIR/cert/cert.pem", "certificate_key_file" : "$DIR/cert/key.pem" },
		"website" : { "domain" : "", "wwwroot" : "$WWW", "index" : "/index.html" } },
	"tcp_options" : { "nodelay" : 1, "linger" : -1 },
	"http_options" : { "compress_on" : 1, "timeout" : 75 }
}
CONF
cat >"$DIR/nginx/nginx.conf" <<CONF
worker_processes $WORKERS;
worker_rlimit_nofile 16384;
daemon on;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 8192; use epoll; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $DIR/nginx/client_body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    access_log off;
    sendfile on;
    open_file_cache max=1000 inactive=60s;
    gzip_static on;
    keepalive_requests 100000;
    http2_max_requests 100000;
    server {
        listen 127.0.0.1:${PORT[nginx]} ssl http2 reuseport;
        ssl_certificate $DIR/cert/cert.pem;
        ssl_certificate_key $DIR/cert/key.pem;
        root $WWW;
    }
}
CONF
cat >"$DIR/h2o/h2o.conf" <<CONF
num-threads: $WORKERS
$([ "$(id -u)" = 0 ] && echo "user: root") # as root, h2o would switch to nobody
error-log: $DIR/h2o/error.log
listen:
  host: 127.0.0.1
  port: ${PORT[h2o]}
  ssl:
    certificate-file: $DIR/cert/cert.pem
    key-file: $DIR/cert/key.pem
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /:
        file.dir: $WWW
        file.send-compressed: ON
CONF

for s in $SERVERS; do
	case $s in
	site)
		(cd "$DIR/site" && "$DIR/bin/hetaoc" build hetao.conf -o site) >"$DIR/site/build.log" 2>&1 ||
			{ cat "$DIR/site/build.log" >&2; die "hetaoc build failed"; }
		(cd "$DIR/site" && exec setsid ./site </dev/null >"$DIR/site/stdout" 2>"$DIR/site/stderr") &
		ROOT[site]=$!
		;;
	nginx)
		"$NGINX" -p "$DIR/nginx" -e "$DIR/nginx/error.log" -c "$DIR/nginx/nginx.conf" 2>"$DIR/nginx/stderr" ||
			{ cat "$DIR/nginx/stderr" >&2; die "nginx did not start"; }
		for i in $(seq 100); do [ -s "$DIR/nginx/nginx.pid" ] && break; sleep 0.05; done
		ROOT[nginx]=$(cat "$DIR/nginx/nginx.pid")
		;;
	h2o)
		(exec setsid "$H2O" -c "$DIR/h2o/h2o.conf" </dev/null >"$DIR/h2o/stdout" 2>"$DIR/h2o/stderr") &
		ROOT[h2o]=$!
		;;
	esac
	for i in $(seq 200); do
		v=$(curl -sk --http2 -o /dev/null -w '%{http_version} %{http_code}' --max-time 1 "https://127.0.0.1:${PORT[$s]}/press.html" || true)
		[ "$v" = "2 200" ] && break
		sleep 0.05
	done
	[ "$v" = "2 200" ] || die "$s does not answer HTTP/2 on port ${PORT[$s]} ($v)"
	z=$(curl -sk --http2 -H 'Accept-Encoding: gzip' "https://127.0.0.1:${PORT[$s]}/press.html" | gzip -dc 2>/dev/null | cmp -s - "$WWW/press.html" && echo ok || true)
	[ "$z" = ok ] || die "$s: press.html is not served gzipped over HTTP/2"
	log "$s serving HTTP/2 on 127.0.0.1:${PORT[$s]} (pid ${ROOT[$s]})"
done

declare -A LABEL=([1]="press.html gzip c=50 m=10" [2]="press.html gzip c=50 m=1" [3]="1m.bin c=50 m=1")
case_args() { # CASE PORT
	case $1 in
	1) echo "-c 50 -m 10 -H accept-encoding:gzip https://127.0.0.1:$2/press.html" ;;
	2) echo "-c 50 -m 1 -H accept-encoding:gzip https://127.0.0.1:$2/press.html" ;;
	3) echo "-c 50 -m 1 https://127.0.0.1:$2/1m.bin" ;;
	*) die "unknown case $1 (1-3)" ;;
	esac
}
printf '%-28s %-6s %10s %10s %9s\n' case server 'req/s' 'CPU us/r' failed
for n in $CASES; do
	for s in $SERVERS; do
		rows=""
		for r in $(seq "$ROUNDS"); do
			t0=$(cpu_ticks "${ROOT[$s]}")
			out=$(h2load -D "$DURATION" $(case_args "$n" "${PORT[$s]}") 2>&1) || die "h2load failed against $s: $out"
			t1=$(cpu_ticks "${ROOT[$s]}")
			rps=$(awk '/^finished in/ { gsub(",", ""); print $4 }' <<<"$out")
			done_=$(awk '/^requests:/ { print $8 }' <<<"$out")
			failed=$(awk '/^requests:/ { print $10 + $12 }' <<<"$out")
			us=$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$done_" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "nan" }')
			rows="$rows$rps $us $failed"$'\n'
		done
		# the median round by req/s
		read -r rps us failed <<<"$(sort -n <<<"${rows%$'\n'}" | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')"
		printf '%-28s %-6s %10s %10s %9s\n' "${LABEL[$n]}" "$s" "$rps" "$us" "$failed"
	done
done
echo "h2load -D $DURATION, $ROUNDS round(s); TLS 1.3, same certificate; CPU us/r: user+sys of the server's process tree / requests done."
echo "site $WORKERS workers, nginx $WORKERS workers ($("$NGINX" -v 2>&1 | sed 's/.*nginx\///' || true)), h2o $WORKERS threads ($("$H2O" --version 2>/dev/null | head -1 | awk '{ print $3 }' || true)), h2load $(h2load --version | awk '{ print $2 }')"
