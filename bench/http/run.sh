#!/usr/bin/env bash
# bench/http/run.sh — ftz's HTTP throughput beside nginx, measured in one run.
#
# Builds a throw-away SQLite database (ftz init + ftz demo + BENCH_AUDIT_CHANGES changes made
# through the CLI, so that the audit trail has a few hundred rows), creates an audit.read
# token, starts `ftz serve --workers N` and an nginx of its own (generated config in the temp
# directory, a free loopback port, N worker processes) that serves, as static files, the
# exact body bytes ftz answers for /healthz and for GET /api/v1/audit?per_page=50. Then wrk
# runs against the four targets one after the other, and bench/http/report.mjs writes
# bench/results/latest.json and the table in bench/README.md. What is measured and why:
# bench/README.md.
#
# Environment (defaults in brackets):
#   FTZ_BIN              the server binary [build/ftz]
#   BENCH_THREADS        wrk threads [2]
#   BENCH_CONNECTIONS    wrk connections [64]
#   BENCH_DURATION       wrk duration per target, e.g. 10s, 1m (at most 300 s) [10s]
#   BENCH_WARMUP         unrecorded wrk run before each target, 0 for none [2s]
#   BENCH_TIMEOUT        wrk's per-request timeout [2s]
#   BENCH_WORKERS        ftz --workers and nginx worker_processes [2]
#   BENCH_AUDIT_CHANGES  changes made to fill the audit trail (at least 60) [300]
#   BENCH_JSON           the result file [bench/results/latest.json]
#   BENCH_README         the report whose table is replaced [bench/README.md]
#   BENCH_ENFORCE_GOALS  1: also exit 1 when a ratio is below its goal [0]
#   BENCH_KEEP           1: keep the temp directory (logs, configs, raw wrk output) [0]
#
# Only loopback addresses are used. Exit status: 0 ok; 1 a request errored (socket error,
# timeout or non-2xx), a target answered wrong bytes, or (with BENCH_ENFORCE_GOALS=1) a goal
# was missed; 2 bad settings or missing tools. FTZ_SQLITE_SYNC is left as the caller has it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FTZ_BIN="${FTZ_BIN:-$ROOT/build/ftz}"
THREADS="${BENCH_THREADS:-2}"
CONNS="${BENCH_CONNECTIONS:-64}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
TIMEOUT="${BENCH_TIMEOUT:-2s}"
WORKERS="${BENCH_WORKERS:-2}"
CHANGES="${BENCH_AUDIT_CHANGES:-300}"
OUT_JSON="${BENCH_JSON:-$ROOT/bench/results/latest.json}"
README="${BENCH_README:-$ROOT/bench/README.md}"
LIST_PATH='/api/v1/audit?per_page=50'

say() { echo "bench/http: $*" >&2; }
die() { say "$*"; exit 2; }

# ---- settings and tools -------------------------------------------------------------------

# A wrk duration ("10", "10s", "2m") in seconds, or nothing when malformed.
seconds_of() {
  case "$1" in
    *[!0-9smh]* | '' ) return 0 ;;
  esac
  local n="${1%[smh]}" u="${1##*[0-9]}"
  case "$n" in *[!0-9]* | '') return 0 ;; esac
  case "$u" in h) echo $((n * 3600)) ;; m) echo $((n * 60)) ;; *) echo "$n" ;; esac
}
positive() { # NAME VALUE
  case "$2" in *[!0-9]* | '' | 0*) die "$1 must be a positive integer, not '$2'" ;; esac
}
positive BENCH_THREADS "$THREADS"
positive BENCH_CONNECTIONS "$CONNS"
positive BENCH_WORKERS "$WORKERS"
positive BENCH_AUDIT_CHANGES "$CHANGES"
[ "$CHANGES" -ge 60 ] || die "BENCH_AUDIT_CHANGES must be at least 60 (the list needs 50 rows)"
[ "$CONNS" -ge "$THREADS" ] || die "BENCH_CONNECTIONS must be at least BENCH_THREADS"
[ "$CONNS" -le 1000 ] || die "BENCH_CONNECTIONS is at most 1000 here"
[ "$WORKERS" -le 64 ] || die "BENCH_WORKERS is at most 64"
dur_s="$(seconds_of "$DURATION")"
if ! { [ -n "$dur_s" ] && [ "$dur_s" -ge 1 ] && [ "$dur_s" -le 300 ]; }; then
  die "BENCH_DURATION must be 1 to 300 seconds (e.g. 10s), not '$DURATION'"
fi
if [ "$WARMUP" != 0 ]; then
  w_s="$(seconds_of "$WARMUP")"
  if ! { [ -n "$w_s" ] && [ "$w_s" -le 60 ]; }; then
    die "BENCH_WARMUP must be 0 to 60 seconds, not '$WARMUP'"
  fi
fi
t_s="$(seconds_of "$TIMEOUT")"
if ! { [ -n "$t_s" ] && [ "$t_s" -ge 1 ] && [ "$t_s" -le 30 ]; }; then
  die "BENCH_TIMEOUT must be 1 to 30 seconds, not '$TIMEOUT'"
fi

for tool in wrk nginx node curl; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
    die "$tool not found: run 'bash scripts/deps.sh --bench' (or 'make bench')"
done
NGINX="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
[ -x "$FTZ_BIN" ] || die "$FTZ_BIN not found: run 'make build' (or set FTZ_BIN)"
FTZ_BIN="$(cd "$(dirname "$FTZ_BIN")" && pwd)/$(basename "$FTZ_BIN")"

# ---- temp directory and clean-up ----------------------------------------------------------

TMP="$(mktemp -d "${TMPDIR:-/tmp}/ftz-bench.XXXXXX")"
# nginx's workers run as 'nobody' when the master is root: they may pass through TMP to
# their own 0755 directory, and see nothing else (the database and the token stay private).
chmod 0711 "$TMP"
NG="$TMP/nginx"
mkdir -p "$NG/www/api/v1" "$NG/tmp" "$TMP/wrk"
chmod -R 0755 "$NG"
FTZ_PID=""
NGINX_PID=""

stop_pid() { # PID: SIGTERM, wait up to 5 s, then SIGKILL — only processes this script started
  local pid="$1" i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_pid "$NGINX_PID"
  stop_pid "$FTZ_PID"
  if [ "${BENCH_KEEP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the benchmark database ---------------------------------------------------------------

DB="sqlite:$TMP/ftz.db"
ftz() { # ARGS…: one CLI command on the benchmark database; its stderr goes to setup.log
  if ! (cd "$TMP" && "$FTZ_BIN" "$@" --db "$DB") 2>>"$TMP/setup.log"; then
    say "ftz $* failed:"
    tail -n 5 "$TMP/setup.log" >&2
    return 1
  fi
}

say "database: ftz init, ftz demo, $CHANGES changes through the CLI"
FTZ_ADMIN_PASSWORD="bench-admin-$$-$RANDOM$RANDOM" ftz init >/dev/null
ftz demo >/dev/null
# Two changes in three add a department (a row with a Chinese name); the third grants or
# revokes a permission of the leader role. Each is one audited change, as an operator's.
for i in $(seq 1 "$CHANGES"); do
  if [ $((i % 3)) -ne 0 ]; then
    code="$(printf 'BENCH-%04d' "$i")"
    ftz dept add "$code" --name "基准测试科 $i" --name-en "Benchmark unit $i" --parent ZONE >/dev/null
  elif [ $((i % 6)) -eq 3 ]; then
    ftz role grant leader firm.admin >/dev/null
  else
    ftz role revoke leader firm.admin >/dev/null
  fi
done
TOKEN="$(ftz token create --user admin --name bench --perm audit.read | tail -n 1)"
case "$TOKEN" in ftz_*) ;; *) say "token create failed (see $TMP/setup.log)"; exit 1 ;; esac
audit_rows="$(ftz audit head | cut -d' ' -f1)"

# ---- ftz ----------------------------------------------------------------------------------

(cd "$TMP" && exec "$FTZ_BIN" serve --listen 127.0.0.1:0 --workers "$WORKERS" --db "$DB" \
  >"$TMP/ftz.out" 2>"$TMP/ftz.log") &
FTZ_PID=$!
FTZ_URL=""
for _ in $(seq 1 100); do
  FTZ_URL="$(sed -n 's|^ftz: listening on \(http://[^/]*\)/.*|\1|p' "$TMP/ftz.out")"
  [ -n "$FTZ_URL" ] && break
  kill -0 "$FTZ_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$FTZ_URL" ] || { say "ftz serve did not start:"; tail -n 20 "$TMP/ftz.log" >&2; exit 1; }
case "$FTZ_URL" in http://127.0.0.1:*) ;; *) say "ftz listens on $FTZ_URL, not loopback"; exit 1 ;; esac

# The exact bodies nginx will serve, saved from ftz.
fetch() { # URL OUT [TOKEN] → the HTTP status on stdout, the body in OUT
  local auth=()
  [ -n "${3:-}" ] && auth=(-H "Authorization: Bearer $3")
  curl -sS --max-time 10 -o "$2" -w '%{http_code}' "${auth[@]}" "$1"
}
st="$(fetch "$FTZ_URL/healthz" "$NG/www/healthz")"
[ "$st" = 200 ] || { say "ftz /healthz answered $st"; exit 1; }
st="$(fetch "$FTZ_URL$LIST_PATH" "$NG/www/api/v1/audit" "$TOKEN")"
[ "$st" = 200 ] || { say "ftz $LIST_PATH answered $st"; exit 1; }
rows="$(node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
  console.log(Array.isArray(b.items)?b.items.length:-1)' "$NG/www/api/v1/audit")"
[ "$rows" = 50 ] || { say "the audit list has $rows rows, not 50"; exit 1; }
chmod 0644 "$NG/www/healthz" "$NG/www/api/v1/audit"

# ---- nginx --------------------------------------------------------------------------------

# A free loopback port (node asks the kernel); retried if another process takes it first.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# The same response headers as ftz sends (nginx adds Server, Last-Modified and Connection of
# its own), so both answers are about the same size on the wire.
write_nginx_conf() { # PORT
  cat >"$NG/nginx.conf" <<EOF
# generated by bench/http/run.sh — the anchor: nginx serving ftz's bytes as static files
daemon off;
master_process on;
worker_processes $WORKERS;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 4096; }
http {
    types { }
    default_type "application/json; charset=utf-8";
    access_log $NG/access.log combined buffer=16k flush=200ms;  # as ftz buffers its own
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    server_tokens off;
    etag off;
    open_file_cache max=16 inactive=60s;
    server {
        listen 127.0.0.1:$1 reuseport;
        root $NG/www;
        location / {
            add_header X-Request-Id \$request_id always;
            add_header X-Content-Type-Options nosniff always;
            add_header Referrer-Policy same-origin always;
            add_header Content-Security-Policy "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'" always;
            add_header X-Frame-Options DENY always;
            add_header Cache-Control no-store always;
        }
    }
}
EOF
}
NGINX_URL=""
for _ in 1 2 3 4 5; do
  port="$(free_port)"
  write_nginx_conf "$port"
  "$NGINX" -p "$NG" -c "$NG/nginx.conf" -e "$NG/error.log" -t >/dev/null 2>"$NG/test.log" ||
    { say "nginx rejects its generated config:"; cat "$NG/test.log" >&2; exit 1; }
  "$NGINX" -p "$NG" -c "$NG/nginx.conf" -e "$NG/error.log" >/dev/null 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then
      NGINX_URL="http://127.0.0.1:$port"
      break
    fi
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$NGINX_URL" ] && break
  stop_pid "$NGINX_PID"
  NGINX_PID=""
done
[ -n "$NGINX_URL" ] || { say "nginx did not start:"; tail -n 20 "$NG/error.log" >&2; exit 1; }

# Both servers must answer 200 with the same body bytes before anything is measured.
same_bytes() { # URL FILE [TOKEN]
  local st
  st="$(fetch "$1" "$TMP/check.body" "${3:-}")"
  if [ "$st" != 200 ] || ! cmp -s "$TMP/check.body" "$2"; then
    say "$1 answered $st with other bytes than $2"
    exit 1
  fi
}
same_bytes "$NGINX_URL/healthz" "$NG/www/healthz"
same_bytes "$NGINX_URL$LIST_PATH" "$NG/www/api/v1/audit" "$TOKEN"
same_bytes "$FTZ_URL/healthz" "$NG/www/healthz"
same_bytes "$FTZ_URL$LIST_PATH" "$NG/www/api/v1/audit" "$TOKEN"

# ---- wrk ----------------------------------------------------------------------------------

# TARGET URL [TOKEN]: an unrecorded warm-up, then the measured run; wrk's text output (with
# --latency and the BENCH-JSON line of wrk.lua) goes to $TMP/wrk/TARGET.txt.
run_wrk() {
  local name="$1" url="$2" token="${3:-}"
  if [ "$WARMUP" != 0 ]; then
    FTZ_BENCH_TOKEN="$token" timeout $((w_s + 30)) wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" \
      --timeout "$TIMEOUT" -s "$HERE/wrk.lua" "$url" >/dev/null 2>&1 || true
  fi
  say "$name: wrk -t$THREADS -c$CONNS -d$DURATION --latency $url"
  local before after
  before="$(cpu_snapshot)"
  FTZ_BENCH_TOKEN="$token" timeout $((dur_s + 30)) wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" \
    --timeout "$TIMEOUT" --latency -s "$HERE/wrk.lua" "$url" >"$TMP/wrk/$name.txt" 2>&1 ||
    { say "wrk failed on $name:"; cat "$TMP/wrk/$name.txt" >&2; exit 1; }
  after="$(cpu_snapshot)"
  other_cpu "$before" "$after" >"$TMP/wrk/$name.cpu"
}

# CPU time of this benchmark's own processes (this shell and the children it has waited for,
# wrk among them; ftz; nginx's master and workers), in clock ticks.
own_ticks() {
  local total=0 pid f
  for pid in $$ "$FTZ_PID" "$NGINX_PID" $(pgrep -P "$NGINX_PID" 2>/dev/null); do
    [ -r "/proc/$pid/stat" ] || continue
    f="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    read -ra f <<<"${f##*) }"
    # after the ")": state ppid … utime(11) stime(12) cutime(13) cstime(14)
    total=$((total + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$total"
}
# "ALL BUSY STEAL OWN": the machine's ticks (all CPUs), its busy ticks (user, nice, system,
# irq, softirq: the loopback traffic's softirq time is charged to the processes that send
# it, ours), steal, and own_ticks.
cpu_snapshot() {
  local _ u n s i w q sq st
  read -r _ u n s i w q sq st _ </proc/stat
  echo "$((u + n + s + i + w + q + sq + st)) $((u + n + s + q + sq)) $st $(own_ticks)"
}
# BEFORE AFTER → {"other_cpu_pct": N, "steal_pct": N}: the share of the machine's CPU that
# other processes (and the hypervisor, as steal) used while wrk ran.
other_cpu() {
  local a1 b1 s1 o1 a2 b2 s2 o2 other
  read -r a1 b1 s1 o1 <<<"$1"
  read -r a2 b2 s2 o2 <<<"$2"
  [ "$a2" -gt "$a1" ] || { echo '{"other_cpu_pct": 0, "steal_pct": 0}'; return; }
  other=$(((b2 - b1) - (o2 - o1)))
  [ "$other" -ge 0 ] || other=0
  echo "{\"other_cpu_pct\": $((100 * other / (a2 - a1))), \"steal_pct\": $((100 * (s2 - s1) / (a2 - a1)))}"
}
# How busy the machine is with other work just before the runs (both servers idle): the
# figures are only comparable on an otherwise quiet machine, so the report carries it.
cpu_busy_pct() {
  local _ u n s i w q sq st u2 n2 s2 i2 w2 q2 sq2 st2 t1 t2
  read -r _ u n s i w q sq st _ </proc/stat
  sleep 1
  read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
  t1=$((u + n + s + i + w + q + sq + st))
  t2=$((u2 + n2 + s2 + i2 + w2 + q2 + sq2 + st2))
  [ "$t2" -gt "$t1" ] || { echo 0; return; }
  echo $((100 * ((t2 - t1) - (i2 + w2 - i - w)) / (t2 - t1)))
}
busy_before="$(cpu_busy_pct)"
[ "$busy_before" -le 10 ] ||
  say "warning: other processes used ${busy_before}% of the CPU just before the run; the figures will be low"

run_wrk nginx-healthz "$NGINX_URL/healthz"
run_wrk ftz-healthz "$FTZ_URL/healthz"
run_wrk nginx-list "$NGINX_URL$LIST_PATH" "$TOKEN"
run_wrk ftz-list "$FTZ_URL$LIST_PATH" "$TOKEN"

# Still the same bytes after the load (nothing was written to the trail meanwhile).
same_bytes "$FTZ_URL$LIST_PATH" "$NG/www/api/v1/audit" "$TOKEN"
kill -0 "$FTZ_PID" 2>/dev/null || { say "ftz serve died during the run"; exit 1; }

# ---- report -------------------------------------------------------------------------------

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)"
BENCH_META="$(node -e 'console.log(JSON.stringify({
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  machine: {cpu: process.argv[1], cores: Number(process.argv[2]), kernel: process.argv[3]},
  versions: {ftz: process.argv[4], ftz_commit: process.argv[5] || null, nginx: process.argv[6], wrk: process.argv[7]},
  params: {threads: Number(process.argv[8]), connections: Number(process.argv[9]), duration: process.argv[10],
           warmup: process.argv[11], timeout: process.argv[12], ftz_workers: Number(process.argv[13]),
           nginx_workers: Number(process.argv[13]), ftz_sqlite_sync: process.argv[14] || "FULL"},
  busy_before_pct: Number(process.argv[19]),
  data: {audit_rows: Number(process.argv[15]), list_rows: 50, list_path: process.argv[16],
         healthz_body_bytes: Number(process.argv[17]), list_body_bytes: Number(process.argv[18])}}))' \
  "$cpu" "$(nproc)" "$(uname -r)" "$("$FTZ_BIN" --version 2>/dev/null | head -n 1)" "$commit" \
  "$("$NGINX" -v 2>&1 | sed 's|^nginx version: nginx/||')" "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f2 | sed 's|^debian/||')" \
  "$THREADS" "$CONNS" "$DURATION" "$WARMUP" "$TIMEOUT" "$WORKERS" "${FTZ_SQLITE_SYNC:-}" \
  "$audit_rows" "$LIST_PATH" "$(wc -c <"$NG/www/healthz")" "$(wc -c <"$NG/www/api/v1/audit")" "$busy_before")"
export BENCH_META
node "$HERE/report.mjs" "$TMP/wrk" "$OUT_JSON" "$README"
