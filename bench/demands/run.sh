#!/usr/bin/env bash
# bench/demands/run.sh — listing 10,000 demands with filters, on SQLite and on PostgreSQL,
# beside the anchor "raw SQLite": the sqlite3 shell running the list's own two statements
# (the count and the page, same joins and filters) on the same database file.
#
# For each backend: a throw-away database (ftz init + ftz demo --minimal), BENCH_DEMANDS
# demands filed and moved along through the API (bench/demands/fill.mjs), then wrk against
# the list URLs below with an admin token (scope all) and a department-scoped staff token.
# Prints a table (req/s, average latency) and writes bench/results/demands.json.
#
# Environment (defaults in brackets):
#   FTZ_BIN           the server binary [build/ftz]
#   BENCH_DEMANDS     demands to create [10000]
#   BENCH_DURATION    wrk duration per URL [5s]
#   BENCH_CONNECTIONS wrk connections [16]
#   BENCH_WORKERS     ftz --workers [2]
#   BENCH_PG          1: also PostgreSQL (scripts/pg-test-server.sh) [1]
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
FTZ_BIN="${FTZ_BIN:-$ROOT/build/ftz}"
N="${BENCH_DEMANDS:-10000}"
DURATION="${BENCH_DURATION:-5s}"
CONNS="${BENCH_CONNECTIONS:-16}"
WORKERS="${BENCH_WORKERS:-2}"
WITH_PG="${BENCH_PG:-1}"
OUT="$ROOT/bench/results/demands.json"

say() { echo "bench/demands: $*" >&2; }
for tool in wrk node curl sqlite3; do
  command -v "$tool" >/dev/null 2>&1 || { say "$tool not found: run 'bash scripts/deps.sh --bench'"; exit 2; }
done
[ -x "$FTZ_BIN" ] || { say "$FTZ_BIN not found: run 'make build'"; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/ftz-bench-demands.XXXXXX")"
chmod 0777 "$TMP"
PID=""
stop() {
  [ -n "$PID" ] || return 0
  kill -TERM "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
}
cleanup() {
  stop
  [ "$WITH_PG" = 1 ] && bash "$ROOT/scripts/pg-test-server.sh" stop "$TMP/pg" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# The list URLs measured (per_page 50, as the inbox asks).
URLS=(
  "/api/v1/demands?per_page=50"
  "/api/v1/demands?per_page=50&state=open&category=help&sort=deadline_at"
  "/api/v1/demands?per_page=50&q=%E7%94%A8%E7%94%B5"
  "/api/v1/demands?per_page=50&box=overdue&sort=-deadline_at"
)

serve() { # DB → sets URL and PID
  (cd "$TMP" && exec "$FTZ_BIN" serve --listen 127.0.0.1:0 --workers "$WORKERS" --db "$1" \
    >"$TMP/ftz.out" 2>>"$TMP/ftz.log") &
  PID=$!
  URL=""
  for _ in $(seq 1 100); do
    URL="$(sed -n 's|^ftz: listening on \(http://[^/]*\)/.*|\1|p' "$TMP/ftz.out")"
    [ -n "$URL" ] && return 0
    sleep 0.1
  done
  say "ftz serve did not start"; tail -n 20 "$TMP/ftz.log" >&2; exit 1
}

wrk_one() { # URL TOKEN → "req/s avg_ms"
  wrk -t2 -c"$CONNS" -d"$DURATION" -H "Authorization: Bearer $2" "$1" 2>/dev/null |
    awk '/Requests\/sec/ {rps=$2} /Latency/ {lat=$2} /Non-2xx/ {bad=$NF}
         END { if (bad) { print "ERR"; exit } ;
               u=lat; v=u+0; if (u ~ /us$/) v=v/1000; else if (u ~ /s$/ && u !~ /ms$/) v=v*1000;
               printf "%.0f %.2f\n", rps, v }'
}

results="[]"
add() { results="$(node -e 'const a=JSON.parse(process.argv[1]);a.push(JSON.parse(process.argv[2]));console.log(JSON.stringify(a))' "$results" "$1")"; }

run_backend() { # NAME DB
  local name="$1" db="$2"
  say "$name: init, demo --minimal, $N demands through the API"
  (cd "$TMP" && FTZ_ADMIN_PASSWORD="bench-$$" "$FTZ_BIN" init --db "$db" >/dev/null 2>>"$TMP/setup.log")
  (cd "$TMP" && "$FTZ_BIN" demo --minimal --db "$db" >/dev/null 2>>"$TMP/setup.log")
  local admin staff
  admin="$(cd "$TMP" && "$FTZ_BIN" token create --db "$db" --user admin --name bench \
    --perm demand.read --perm demand.file --perm demand.assess --perm demand.handle \
    --perm demand.evaluate --perm firm.read --perm auth.dept.read 2>>"$TMP/setup.log" | tail -n 1)"
  staff="$(cd "$TMP" && "$FTZ_BIN" token create --db "$db" --user staff --name bench \
    --perm demand.read 2>>"$TMP/setup.log" | tail -n 1)"
  FTZ_SQLITE_SYNC=OFF serve "$db"
  node "$HERE/fill.mjs" "$URL" "$admin" "$N" >"$TMP/fill.json"
  say "$name: filled $(cat "$TMP/fill.json")"
  stop
  # PostgreSQL's autovacuum analyses a table this size within a minute or so of the writes;
  # do it now so that the plans measured are the ones a live database would use.
  case "$db" in postgres*) psql -qAt "$db" -c ANALYZE >/dev/null ;; esac
  serve "$db"
  for u in "${URLS[@]}"; do
    for who in admin staff; do
      local tok="$admin"
      [ "$who" = staff ] && tok="$staff"
      local total
      total="$(curl -s -H "Authorization: Bearer $tok" "$URL$u" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).total))')"
      read -r rps ms <<<"$(wrk_one "$URL$u" "$tok")"
      say "$name $who $u: total $total, $rps req/s, $ms ms"
      add "{\"backend\":\"$name\",\"who\":\"$who\",\"url\":\"$u\",\"total\":$total,\"rps\":$rps,\"avg_ms\":$ms}"
    done
  done
  stop
}

run_backend sqlite "sqlite:$TMP/ftz.db"

# The anchor: the page statement of the first URL, run by the sqlite3 shell on the same file
# (joins as the list's, 50 rows) plus its count, timed over 200 runs.
sql="SELECT count(*) FROM cases cs JOIN firms f ON f.id = cs.firm_id WHERE cs.kind = 'demand';
SELECT cs.*, f.name_zh, f.name_ru, uo.display_name, uh.display_name, uf.display_name, da.name,
 dl.name, dl.path, de.name FROM cases cs JOIN firms f ON f.id = cs.firm_id
 LEFT JOIN users uo ON uo.id = cs.owner_id LEFT JOIN users uh ON uh.id = cs.handler_id
 LEFT JOIN users uf ON uf.id = cs.filed_by LEFT JOIN departments da ON da.id = cs.accept_dept_id
 LEFT JOIN departments dl ON dl.id = cs.lead_dept_id
 LEFT JOIN departments de ON de.id = cs.escalated_dept_id
 WHERE cs.kind = 'demand' ORDER BY cs.id DESC LIMIT 50 OFFSET 0;"
for _ in $(seq 1 200); do echo "$sql"; done >"$TMP/anchor.sql"
t0="$(date +%s%N)"
sqlite3 "$TMP/ftz.db" <"$TMP/anchor.sql" >/dev/null
t1="$(date +%s%N)"
anchor_ms="$(node -e "console.log(((${t1}-${t0})/1e6/200).toFixed(3))")"
say "raw sqlite3 (count + page, one process, one at a time): $anchor_ms ms per list"
add "{\"backend\":\"sqlite3-shell\",\"who\":\"-\",\"url\":\"count + page of 50\",\"total\":$N,\"rps\":0,\"avg_ms\":$anchor_ms}"

if [ "$WITH_PG" = 1 ]; then
  mkdir -p "$TMP/pg"
  chmod 0777 "$TMP/pg"
  bash "$ROOT/scripts/pg-test-server.sh" start "$TMP/pg" >/dev/null
  pgurl="$(bash "$ROOT/scripts/pg-test-server.sh" createdb "$TMP/pg" bench | tail -n 1)"
  run_backend postgresql "$pgurl"
fi

mkdir -p "$(dirname "$OUT")"
node -e 'const r=JSON.parse(process.argv[1]);require("fs").writeFileSync(process.argv[2],JSON.stringify({when:new Date().toISOString(),demands:+process.argv[3],results:r},null,2)+"\n")' "$results" "$OUT" "$N"
say "written $OUT"
