#!/usr/bin/env bash
# tests/bench/run.sh: the site built by hetaoc against nginx (issue #6).
# Run by `make bench`; not part of `make test`. See tests/bench/README.md.
#
# Environment (all optional):
#   ROUNDS=3            measured runs per server and scenario (A B A B ...)
#   DURATION=8          seconds per wrk run
#   WARMUP=1            seconds of unmeasured wrk per server and scenario; 0 none
#   SCENARIOS="1 2 3 4 5 6"   which scenarios (7: big.html gzip c=50; 8: scenario 2
#                       over HTTPS, sites and nginx-tuned only; 9: HTTP/2 over TLS
#                       against nginx and h2o with h2load, tests/bench/h2.sh, run
#                       after the others; 7-9 off by default)
#   SERVERS="site1 seed site2 tuned bare"   (bare: scenarios 1-3 only)
#   SITE_WORKERS=2      workers of site2 and of nginx-tuned
#   SITE_HEADERS=0      1: the sites' plain website sets security headers and cache rules
#   CPU_AFFINITY=0      the sites' cpu_affinity (0 is the default)
#   IDLE_CONNS=10000    connections held idle in scenario 6
#   PORT_BASE=18480     five consecutive ports from here (and +10.. for HTTPS)
#   BENCH_DIR=/tmp/hetao-bench   scratch folder (rebuilt on every run)
#   NOISE_MAX=10        a run during which other processes used more than this
#   NOISE_RETRIES=2     % of the machine is run again, at most this many times
#   PROFILE="site2"     after the measured rounds, one more run of each named
#                       server under `perf record -g` (PROFILE_SCENARIOS="1")
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/hetao-bench}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-1}
SCENARIOS=${SCENARIOS:-"1 2 3 4 5 6"}
SERVERS=${SERVERS:-"site1 seed site2 tuned bare"}
SITE_WORKERS=${SITE_WORKERS:-2}
CPU_AFFINITY=${CPU_AFFINITY:-0}
IDLE_CONNS=${IDLE_CONNS:-10000}
PORT_BASE=${PORT_BASE:-18480}
PROFILE=${PROFILE:-}
PROFILE_SCENARIOS=${PROFILE_SCENARIOS:-1}
NOISE_MAX=${NOISE_MAX:-10}
NOISE_RETRIES=${NOISE_RETRIES:-2}
GO=${GO:-go}
# Scenario 9 is a script of its own (other servers, another client).
H2=
case " $SCENARIOS " in *" 9 "*)
	H2=1
	SCENARIOS=$(tr ' ' '\n' <<<"$SCENARIOS" | grep -vx 9 | xargs echo || true)
	[ -n "$SCENARIOS" ] || exec bash "$HERE/h2.sh"
	;;
esac

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
pkgs=()
command -v wrk >/dev/null || pkgs+=(wrk)
command -v curl >/dev/null || pkgs+=(curl)
command -v gzip >/dev/null || pkgs+=(gzip)
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
if [ -n "$PROFILE" ] && ! command -v perf >/dev/null; then pkgs+=(linux-perf); fi
if [ -z "$NGINX" ] || [ ${#pkgs[@]} -gt 0 ]; then
	want=" ${pkgs[*]}"
	[ -n "$NGINX" ] || want="$want nginx"
	log "installing$want from Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >/dev/null || die "apt-get update failed"
	if [ -z "$NGINX" ]; then
		$SUDO apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
			$SUDO apt-get install -y -qq nginx >/dev/null || die "cannot install nginx"
		NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	fi
	[ ${#pkgs[@]} -eq 0 ] || $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null || die "cannot install ${pkgs[*]}"
fi
[ -x "$NGINX" ] || die "no nginx binary"
[ -f /etc/nginx/mime.types ] || die "/etc/nginx/mime.types is missing (nginx-common)"

ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
[ "$(ulimit -n)" -ge 12000 ] || die "ulimit -n is $(ulimit -n); the benchmark needs 20000 (c=1000 and $IDLE_CONNS idle connections)"
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- cleanup
declare -A ROOT PORT     # server → root pid of its process tree, port
HELPERS=()               # wrk / idle / perf pids still running

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

stop_tree() { # ROOT SIGNAL: signal the tree and its process group, wait, then KILL
	local root=$1 sig=$2 pids p i
	pids=$(tree_pids "$root")
	[ -n "$pids" ] || return 0
	kill "-$sig" $pids 2>/dev/null || true
	for i in $(seq 50); do
		pids=$(for p in $pids; do
			if [ -d /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null; then echo "$p"; fi
		done)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	log "killing ${pids//$'\n'/ } (did not stop on SIG$sig)"
	kill -KILL $pids 2>/dev/null || true
}

cleanup() {
	local rc=$? s p
	trap - EXIT INT TERM
	for p in "${HELPERS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for s in "${!ROOT[@]}"; do
		case $s in
		seed | tuned) stop_tree "${ROOT[$s]}" QUIT ;;
		*) stop_tree "${ROOT[$s]}" TERM ;;
		esac
	done
	wait 2>/dev/null || true
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- scratch
case $BENCH_DIR in /|"") die "BENCH_DIR=$BENCH_DIR" ;; esac
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"/{bin,www,results,site1,site2,seed,tuned,bare,cert}
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
RES=$BENCH_DIR/results
WWW=$BENCH_DIR/www

log "building hetaoc, the idle-connection client, the bare loop and the certificate maker"
(cd "$REPO" && $GO build -o "$BENCH_DIR/bin/hetaoc" ./cmd/hetaoc && $GO build -o "$BENCH_DIR/bin/idle" ./tests/bench/idle &&
	$GO build -o "$BENCH_DIR/bin/bare" ./tests/bench/bare && $GO build -o "$BENCH_DIR/bin/cert" ./tests/bench/cert) ||
	die "go build failed"

cp "$HERE"/www/*.html "$WWW"/
[ "$(stat -c %s "$WWW/press.html")" = 3321 ] || die "press.html is not 3321 bytes"
gzip -9 -n -k "$WWW/press.html" "$WWW/big.html" # for nginx-tuned's gzip_static
head -c 1048576 /dev/urandom >"$WWW/1m.bin"

i=0
for s in site1 seed site2 tuned bare; do PORT[$s]=$((PORT_BASE + i)); i=$((i + 1)); done
declare -A TPORT=([site1]=$((PORT_BASE + 10)) [site2]=$((PORT_BASE + 12)) [tuned]=$((PORT_BASE + 13)))
for s in $SERVERS; do
	[ -n "${PORT[$s]:-}" ] || die "unknown server $s (site1 seed site2 tuned bare)"
	for p in "${PORT[$s]}" ${TPORT[$s]:-}; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			die "port $p is already in use; set PORT_BASE"
		fi
	done
done
"$BENCH_DIR/bin/cert" -dir "$BENCH_DIR/cert" || die "cannot make a certificate"

# SITE_HEADERS=1: the plain listen's website also sets the response headers
# and cache rules a real site sets (security headers, Cache-Control by type),
# to show what they cost per request (issue 16: nothing measurable).
SITE_EXTRA=
if [ "${SITE_HEADERS:-0}" = 1 ]; then
	SITE_EXTRA=',
			"headers" : { "Strict-Transport-Security" : "max-age=63072000", "X-Content-Type-Options" : "nosniff",
				"X-Frame-Options" : "DENY", "Referrer-Policy" : "strict-origin-when-cross-origin" },
			"cache" : { "html" : "no-cache", "css js woff2" : "max-age=31536000, immutable", "*" : "max-age=3600" }'
fi

site_conf() { # WORKERS ACCESS_LOG
	cat <<EOF
// written by tests/bench/run.sh
{
	"worker_processes" : $1,
	"cpu_affinity" : $CPU_AFFINITY,
	"error_log" : "log/error.log",
	"log_level" : ERROR,
	"limits" : { "max_http_session_count" : 100000, "max_file_cache" : 1024000 },
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : $3,
		"website" : { "domain" : "", "wwwroot" : "../www", "index" : "/index.html", "access_log" : "$2"$SITE_EXTRA }
	},
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : $4,
		"ssl" : { "certificate_file" : "$BENCH_DIR/cert/cert.pem", "certificate_key_file" : "$BENCH_DIR/cert/key.pem" },
		"website" : { "domain" : "", "wwwroot" : "../www", "index" : "/index.html", "access_log" : "${2:+log/access-tls.log}" }
	},
	"tcp_options" : { "nodelay" : 1, "linger" : -1 },
	"http_options" : { "compress_on" : 1, "timeout" : 75 }
}
EOF
}
site_conf 1 log/access.log "${PORT[site1]}" "${TPORT[site1]}" >"$BENCH_DIR/site1/hetao.conf"
site_conf "$SITE_WORKERS" "" "${PORT[site2]}" "${TPORT[site2]}" >"$BENCH_DIR/site2/hetao.conf"
for s in site1 site2; do
	case " $SERVERS " in *" $s "*) ;; *) continue ;; esac
	log "hetaoc build $s"
	(cd "$BENCH_DIR/$s" && "$BENCH_DIR/bin/hetaoc" build hetao.conf -o site) >"$BENCH_DIR/$s/build.log" 2>&1 ||
		{ cat "$BENCH_DIR/$s/build.log" >&2; die "hetaoc build $s failed"; }
done
sed -e "s|@PORT@|${PORT[seed]}|g" -e "s|@WWW@|$WWW|g" -e "s|@RUN@|$BENCH_DIR/seed|g" \
	"$HERE/nginx-seed.conf" >"$BENCH_DIR/seed/nginx.conf"
sed -e "s|@PORT@|${PORT[tuned]}|g" -e "s|@WWW@|$WWW|g" -e "s|@RUN@|$BENCH_DIR/tuned|g" \
	-e "s|^worker_processes auto;.*|worker_processes $SITE_WORKERS;|" \
	"$HERE/nginx-tuned.conf" | awk -v port="${TPORT[tuned]}" -v www="$WWW" -v cert="$BENCH_DIR/cert" '
	# the HTTPS scenario: the same server on a TLS port, inside http { }
	{ lines[NR] = $0 } $0 == "}" { last = NR }
	END { for (i = 1; i <= NR; i++) {
		if (i == last) {
			print "    server {"
			print "        listen 127.0.0.1:" port " ssl backlog=4096 reuseport;"
			print "        ssl_certificate " cert "/cert.pem;"
			print "        ssl_certificate_key " cert "/key.pem;"
			print "        root " www ";"
			print "        index index.html;"
			print "    }"
		}
		print lines[i] } }' >"$BENCH_DIR/tuned/nginx.conf"

# ---------------------------------------------------------------- servers
wait_ready() { # SERVER: poll the port until index.html is served
	local s=$1 deadline=$((SECONDS + 20)) code
	while :; do
		if [ -z "$(tree_pids "${ROOT[$s]}")" ]; then
			tail -n 20 "$BENCH_DIR/$s"/stderr "$BENCH_DIR/$s"/*.log "$BENCH_DIR/$s"/log/*.log 2>/dev/null >&2 || true
			die "$s (pid ${ROOT[$s]}) exited before it served on port ${PORT[$s]}"
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:${PORT[$s]}/index.html" || true)
		[ "$code" = 200 ] && return 0
		[ $SECONDS -lt $deadline ] || die "$s does not serve on port ${PORT[$s]} after 20 s (last status: $code)"
		sleep 0.05
	done
}

start_server() { # SERVER
	local s=$1 dir=$BENCH_DIR/$1 i
	case $s in
	site1 | site2)
		# setsid: the site leads its own process group (it is not a group
		# leader here, so setsid execs in place and $! is the site's pid).
		(cd "$dir" && exec setsid ./site </dev/null >"$dir/stdout" 2>"$dir/stderr") &
		ROOT[$s]=$!
		;;
	seed | tuned)
		"$NGINX" -p "$dir" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" 2>"$dir/stderr" ||
			{ cat "$dir/stderr" "$dir/nginx-error.log" >&2 2>/dev/null; die "nginx ($s) did not start"; }
		for i in $(seq 100); do [ -s "$dir/nginx.pid" ] && break; sleep 0.05; done
		[ -s "$dir/nginx.pid" ] || die "nginx ($s) wrote no pid file"
		ROOT[$s]=$(cat "$dir/nginx.pid")
		;;
	bare)
		setsid "$BENCH_DIR/bin/bare" -addr "127.0.0.1:${PORT[$s]}" -page "$WWW/press.html" -gz "$WWW/press.html.gz" \
			</dev/null >"$dir/stdout" 2>"$dir/stderr" &
		ROOT[$s]=$!
		;;
	esac
	wait_ready "$s"
}

check_server() { # SERVER: the server sends what the scenarios expect
	local s=$1 url="http://127.0.0.1:${PORT[$1]}" h
	h=$(curl -s -D - -o "$BENCH_DIR/$s/press.gz" -H 'Accept-Encoding: gzip' "$url/press.html")
	grep -qi '^content-encoding: *gzip' <<<"$h" || die "$s: press.html is not gzipped for Accept-Encoding: gzip"
	gzip -dc "$BENCH_DIR/$s/press.gz" | cmp -s - "$WWW/press.html" || die "$s: gzipped press.html differs from the file"
	curl -s "$url/press.html" | cmp -s - "$WWW/press.html" || die "$s: press.html without gzip differs"
	[ "$s" = bare ] || curl -s "$url/1m.bin" | cmp -s - "$WWW/1m.bin" || die "$s: 1m.bin differs"
	rm -f "$BENCH_DIR/$s/press.gz"
}

for s in $SERVERS; do
	log "starting $s on 127.0.0.1:${PORT[$s]}"
	start_server "$s"
	check_server "$s"
done
log "servers: $(for s in $SERVERS; do printf '%s=pid %s  ' "$s" "${ROOT[$s]}"; done)"

# ---------------------------------------------------------------- measures
cpu_ticks() { # ROOT: user+sys clock ticks of every process in the tree
	local p sum=0 s f
	for p in $(tree_pids "$1"); do
		s=$(cat /proc/$p/stat 2>/dev/null) || continue
		read -ra f <<<"${s##*') '}"
		sum=$((sum + f[11] + f[12]))
	done
	echo $sum
}
pss_kb() { # ROOT: Pss summed over the tree, kB
	local p sum=0 v
	for p in $(tree_pids "$1"); do
		v=$(awk '/^Pss:/ { print $2 }' /proc/$p/smaps_rollup 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
	done
	echo $sum
}
reset_hwm() { local p; for p in $(tree_pids "$1"); do echo 5 >/proc/$p/clear_refs 2>/dev/null || true; done; }
hwm_kb() { # ROOT: VmHWM summed over the tree, kB
	local p sum=0 v
	for p in $(tree_pids "$1"); do
		v=$(awk '/^VmHWM:/ { print $2 }' /proc/$p/status 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
	done
	echo $sum
}
cpu_busy() { # user+nice+system ticks of the whole machine, and all ticks
	awk '/^cpu / { b = $2 + $3 + $4; t = 0; for (i = 2; i <= NF; i++) t += $i; print b, t }' /proc/stat
}
child_ticks() { # user+sys ticks of this shell's reaped children (wrk)
	local s f
	s=$(cat /proc/$$/stat)
	read -ra f <<<"${s##*') '}"
	echo $((f[13] + f[14]))
}
truncate_logs() {
	: >"$BENCH_DIR/site1/log/access.log" 2>/dev/null || true
	: >"$BENCH_DIR/site1/log/access-tls.log" 2>/dev/null || true
	: >"$BENCH_DIR/seed/nginx-access.log" 2>/dev/null || true
}

# scenario table: label | path | connections | wrk headers (| separated)
declare -A S_LABEL S_PATH S_CONNS S_HDRS
scn() { S_LABEL[$1]=$2; S_PATH[$1]=$3; S_CONNS[$1]=$4; S_HDRS[$1]=$5; }
scn 1 "ka gzip press.html c=1000" /press.html 1000 "Accept-Encoding: gzip"
scn 2 "ka gzip press.html c=50" /press.html 50 "Accept-Encoding: gzip"
scn 3 "ka identity press.html c=50" /press.html 50 ""
scn 4 "ka 1 MiB file c=50" /1m.bin 50 ""
scn 5 "close gzip press.html c=100" /press.html 100 "Accept-Encoding: gzip|Connection: close"
scn 6 "$IDLE_CONNS idle ka conns" "" 0 ""
scn 7 "ka gzip big.html c=50" /big.html 50 "Accept-Encoding: gzip"
scn 8 "https ka gzip c=50" /press.html 50 "Accept-Encoding: gzip"

to_us() { # wrk duration (12.3us, 4.5ms, 1.2s, 2m) → microseconds
	awk -v d="$1" 'BEGIN { v = d + 0; u = d; sub(/^[0-9.]+/, "", u)
		m = (u == "us") ? 1 : (u == "ms") ? 1e3 : (u == "s") ? 1e6 : (u == "m") ? 6e7 : -1
		if (m < 0) print "nan"; else printf "%.1f\n", v * m }'
}
to_bytes() { # wrk size (12.3MB) → bytes; wrk's units are powers of 1024
	awk -v d="$1" 'BEGIN { v = d + 0; u = d; sub(/^[0-9.]+/, "", u)
		m = (u == "B") ? 1 : (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : (u == "TB") ? 1099511627776 : 0
		printf "%.0f\n", v * m }'
}

wrk_args() { # SCENARIO SERVER DURATION
	local h
	WRK=(wrk -t1 -c"${S_CONNS[$1]}" -d"$3s" --latency)
	IFS='|' read -ra h <<<"${S_HDRS[$1]}"
	for x in "${h[@]}"; do WRK+=(-H "$x"); done
	if [ "$1" = 8 ]; then
		WRK+=("https://127.0.0.1:${TPORT[$2]}${S_PATH[$1]}")
	else
		WRK+=("http://127.0.0.1:${PORT[$2]}${S_PATH[$1]}")
	fi
}

run_wrk() { # SCENARIO SERVER ROUND: one measured run → $RES/s.server.round
	local n=$1 s=$2 r=$3 root=${ROOT[$2]} out=$RES/wrk.$1.$2.$3 c0 c1 req rps p99 rd bytes errs non2xx m0 m1 w0 w1
	wrk_args "$n" "$s" "$DURATION"
	reset_hwm "$root"
	c0=$(cpu_ticks "$root")
	m0=$(cpu_busy)
	w0=$(child_ticks)
	"${WRK[@]}" >"$out" 2>&1 || die "wrk failed against $s: $(tail -3 "$out")"
	w1=$(child_ticks)
	m1=$(cpu_busy)
	c1=$(cpu_ticks "$root")
	req=$(awk '/ requests in / { print $1 }' "$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$out")")
	rd=$(awk '/ requests in / { sub(/,$/, "", $5); print $5 }' "$out")
	bytes=$(to_bytes "$rd")
	errs=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	[ -n "$req" ] && [ "$req" -gt 0 ] || die "wrk served no requests from $s: $(cat "$out")"
	awk -v req="$req" -v rps="$rps" -v p99="$p99" -v ticks=$((c1 - c0)) -v hz="$CLK_TCK" \
		-v hwm="$(hwm_kb "$root")" -v bytes="$bytes" -v errs=$((${errs:-0} + ${non2xx:-0})) \
		-v m0="$m0" -v m1="$m1" -v wrk=$((w1 - w0)) -v ncpu="$(nproc)" 'BEGIN {
		split(m0, a, " "); split(m1, b, " "); other = (b[1] - a[1]) - ticks - wrk; if (other < 0) other = 0
		printf "rps %s\np99 %s\ncpu %.3f\nhwm %s\nbpr %.0f\nerrs %s\nreq %s\n", rps, p99, ticks * 1e6 / hz / req, hwm, bytes / req, errs, req
		printf "wrkcpu %.1f\nother %.1f\n", wrk * 100 * ncpu / (b[2] - a[2]), other * 100 / (b[2] - a[2]) }' \
		>"$RES/$n.$s.$r"
	truncate_logs
	log "$(printf 'scenario %s round %s %-6s %10s req/s  p99 %8s us  %7s us CPU/req  errs %s  others %s%%' "$n" "$r" "$s" "$rps" "$p99" \
		"$(awk '$1 == "cpu" { print $2 }' "$RES/$n.$s.$r")" "$(awk '$1 == "errs" { print $2 }' "$RES/$n.$s.$r")" \
		"$(awk '$1 == "other" { print $2 }' "$RES/$n.$s.$r")")"
}

restart_server() { # SERVER
	local s=$1 old=${ROOT[$1]}
	case $s in
	seed | tuned) stop_tree "$old" QUIT ;;
	*) stop_tree "$old" TERM; wait "$old" 2>/dev/null || true ;;
	esac
	unset "ROOT[$s]"
	start_server "$s"
}

run_idle() { # SERVER: PSS growth for IDLE_CONNS idle keep-alive connections
	local s=$1 root out=$RES/idle.$1 p0 p1 held i pid
	# A fresh server: one that served c=1000 before has memory to reuse.
	restart_server "$s"
	root=${ROOT[$s]}
	curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:${PORT[$s]}/press.html"
	p0=$(pss_kb "$root")
	reset_hwm "$root"
	"$BENCH_DIR/bin/idle" -addr "127.0.0.1:${PORT[$s]}" -n "$IDLE_CONNS" -min $((IDLE_CONNS * 99 / 100)) -path /press.html \
		</dev/null >"$out" 2>"$out.err" &
	pid=$!
	HELPERS+=("$pid")
	for i in $(seq 1200); do
		grep -q '^holding' "$out" && break
		kill -0 "$pid" 2>/dev/null || { cat "$out.err" >&2; die "idle client against $s failed"; }
		sleep 0.05
	done
	grep -q '^holding' "$out" || die "idle client against $s did not finish opening connections in 60 s"
	held=$(awk '/^holding/ { print $2 }' "$out")
	sleep 1 # let the server settle (no readiness signal exists for that)
	p1=$(pss_kb "$root")
	awk -v p0="$p0" -v p1="$p1" -v n="$held" -v hwm="$(hwm_kb "$root")" 'BEGIN {
		printf "pss0 %s\npss1 %s\nheld %s\nbpc %.0f\nhwm %s\n", p0, p1, n, (p1 - p0) * 1024 / n, hwm }' >"$RES/6.$s.1"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	log "$(printf 'scenario 6 %-6s held %s: Pss %s kB -> %s kB, %s B/conn' "$s" "$held" "$p0" "$p1" "$(awk '$1 == "bpc" { print $2 }' "$RES/6.$s.1")")"
	# wait until the server has closed them, so the next scenario starts clean
	for i in $(seq 100); do
		[ "$(ss -Htn state established "( sport = :${PORT[$s]} )" | wc -l)" -lt 10 ] && break
		sleep 0.05
	done
}

run_profile() { # SCENARIO SERVER: one more run under perf record -g
	local n=$1 s=$2 data=$RES/perf.$1.$2.data pids ppid
	pids=$(tree_pids "${ROOT[$s]}" | paste -sd,)
	wrk_args "$n" "$s" "$DURATION"
	perf record -q -g -F 1999 -o "$data" -p "$pids" -- sleep "$DURATION" >"$RES/perf.$n.$s.log" 2>&1 &
	ppid=$!
	"${WRK[@]}" >"$RES/wrk.$n.$s.profile" 2>&1 || true
	wait "$ppid" || true
	# self: where the samples land; children: what each function costs with
	# its callees; graph: the self report with call chains.
	perf report -i "$data" --stdio --no-children --sort sym -g none --percent-limit 0.3 2>/dev/null >"$RES/perf.$n.$s.self.txt" || true
	perf report -i "$data" --stdio --children --sort sym -g none --percent-limit 1.5 2>/dev/null >"$RES/perf.$n.$s.children.txt" || true
	perf report -i "$data" --stdio --no-children --sort sym -g caller,0.5,callee --percent-limit 2 2>/dev/null >"$RES/perf.$n.$s.graph.txt" || true
	log "profile of $s in scenario $n: $RES/perf.$n.$s.{self,children,graph}.txt"
}

# ---------------------------------------------------------------- run
in_scenario() { # SCENARIO: the servers of $SERVERS that take part in it
	local s
	for s in $SERVERS; do
		# bare knows press.html only, and keeps no memory worth measuring
		if [ "$s" = bare ]; then case $1 in 1 | 2 | 3) ;; *) continue ;; esac; fi
		# HTTPS: the sites and nginx-tuned (hetao's comparison had none)
		if [ "$1" = 8 ] && [ -z "${TPORT[$s]:-}" ]; then continue; fi
		printf '%s ' "$s"
	done
}
start=$SECONDS
for n in $SCENARIOS; do
	[ -n "${S_LABEL[$n]:-}" ] || die "unknown scenario $n (1-8)"
	if [ "$n" = 6 ]; then
		for s in $(in_scenario 6); do run_idle "$s"; done
		continue
	fi
	if [ "$WARMUP" != 0 ]; then
		for s in $(in_scenario "$n"); do wrk_args "$n" "$s" "$WARMUP"; "${WRK[@]}" >/dev/null 2>&1 || true; done
		truncate_logs
	fi
	for r in $(seq "$ROUNDS"); do
		for s in $(in_scenario "$n"); do
			# A disturbed run is repeated; the least disturbed try is kept.
			best="" best_other=""
			for try in $(seq 0 "$NOISE_RETRIES"); do
				run_wrk "$n" "$s" "$r"
				mv "$RES/$n.$s.$r" "$RES/try.$n.$s.$r.$try"
				other=$(awk '$1 == "other" { print $2 }' "$RES/try.$n.$s.$r.$try")
				if [ -z "$best" ] || awk -v a="$other" -v b="$best_other" 'BEGIN { exit !(a < b) }'; then
					best=$try best_other=$other
				fi
				awk -v o="$other" -v max="$NOISE_MAX" 'BEGIN { exit !(o > max) }' && [ "$try" -lt "$NOISE_RETRIES" ] || break
				log "other processes used more than $NOISE_MAX% of the machine: running that again"
			done
			cp "$RES/try.$n.$s.$r.$best" "$RES/$n.$s.$r"
		done
	done
	for s in $PROFILE; do
		case " $PROFILE_SCENARIOS " in *" $n "*) run_profile "$n" "$s" ;; esac
	done
done
log "measured in $((SECONDS - start)) s"

# ---------------------------------------------------------------- table
median() { # FIELD SCENARIO SERVER
	cat "$RES/$2.$3".* 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
maxof() { cat "$RES/$2.$3".* 2>/dev/null | awk -v k="$1" '$1 == k && ($2 > m || m == "") { m = $2 } END { print (m == "" ? "nan" : m) }'; }
sumof() { cat "$RES/$2.$3".* 2>/dev/null | awk -v k="$1" '$1 == k { t += $2 } END { print t + 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }
has() { case " $SERVERS " in *" $1 "*) return 0 ;; esac; return 1; }

declare -A NAME=([site1]="site 1w+log" [seed]="nginx-seed" [site2]="site ${SITE_WORKERS}w" [tuned]="nginx-tuned" [bare]="bare loop")
row() { printf '%-30s %-12s %8s %8s %8s %7s %8s %5s %6s  %-11s %-11s %-11s\n' "$@"; }
{
	echo "hetao bench $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) CPUs, Linux $(uname -r), nginx $($NGINX -v 2>&1 | sed 's/.*nginx\///'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), hetao $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- runtime gen 2>/dev/null || echo '+dirty')"
	echo "$ROUNDS rounds x ${DURATION}s per server and scenario, medians; wrk -t1 on 127.0.0.1; site cpu_affinity $CPU_AFFINITY; ka = keep-alive, close = Connection: close"
	row scenario server 'req/s' 'p99 ms' 'CPU us/r' 'RSS MiB' 'B/resp' errs 'others' 'vs seed' 'vs tuned' 'vs bare'
	row '' '' '' '' '' '(peak)' '' '' '(max)' 'rps  cpu' 'rps  cpu' 'rps  cpu'
	for n in $SCENARIOS; do
		label="$n. ${S_LABEL[$n]}"
		for s in $(in_scenario "$n"); do
			vs_seed="" vs_tuned="" vs_bare=""
			if [ "$n" = 6 ]; then
				bpc=$(maxof bpc 6 "$s")
				if [ "${s#site}" != "$s" ]; then
					if has seed; then vs_seed="mem $(ratio "$bpc" "$(maxof bpc 6 seed)")"; fi
					if has tuned; then vs_tuned="mem $(ratio "$bpc" "$(maxof bpc 6 tuned)")"; fi
				fi
				row "$label" "${NAME[$s]}" - - - \
					"$(awk -v k="$(maxof hwm 6 "$s")" 'BEGIN { printf "%.1f", k / 1024 }')" "$bpc/c" \
					"$(awk '$1 == "held" { print $2 }' "$RES/6.$s.1" 2>/dev/null)" - "$vs_seed" "$vs_tuned"
				label=""
				continue
			fi
			rps=$(median rps "$n" "$s") cpu=$(median cpu "$n" "$s")
			if [ "${s#site}" != "$s" ]; then
				if has seed; then vs_seed="$(ratio "$rps" "$(median rps "$n" seed)") $(ratio "$cpu" "$(median cpu "$n" seed)")"; fi
				if has tuned; then vs_tuned="$(ratio "$rps" "$(median rps "$n" tuned)") $(ratio "$cpu" "$(median cpu "$n" tuned)")"; fi
				case " $(in_scenario "$n") " in
				*" bare "*) vs_bare="$(ratio "$rps" "$(median rps "$n" bare)") $(ratio "$cpu" "$(median cpu "$n" bare)")" ;;
				esac
			fi
			row "$label" "${NAME[$s]}" "$(printf '%.0f' "$rps")" \
				"$(awk -v u="$(median p99 "$n" "$s")" 'BEGIN { printf "%.2f", u / 1000 }')" "$(printf '%.2f' "$cpu")" \
				"$(awk -v k="$(maxof hwm "$n" "$s")" 'BEGIN { printf "%.1f", k / 1024 }')" "$(median bpr "$n" "$s")" \
				"$(sumof errs "$n" "$s")" "$(maxof other "$n" "$s")%" "$vs_seed" "$vs_tuned" "$vs_bare"
			label=""
		done
	done
	echo "vs seed/tuned: site / nginx of the medians (rps: higher is better; cpu and mem: lower is better)."
	echo "vs bare: site / the bare loop (tests/bench/bare: one canned answer per request, nothing else), the most this machine and wrk -t1 give a Go server."
	echo "CPU us/r: user+sys of every process in the server's tree during the run / requests. RSS: VmHWM summed over the tree, max of the rounds."
	echo "errs: wrk socket errors + non-2xx, all rounds. others: CPU (user+sys, % of the machine) used by processes other than the server and wrk, worst round."
	echo "Scenario 6: B/resp = Pss growth per idle connection (smaps_rollup summed over the tree, fresh server); errs = connections held."
} | tee "$RES/table.txt"
log "raw results: $RES"
[ -z "$H2" ] || bash "$HERE/h2.sh"
