#!/usr/bin/env bash
# check.sh — runs every test suite of ftz and sums their results into one line,
# "N passed, N failed" (DESIGN.md §8). One failing suite does not stop the others; the exit
# status is non-zero when anything failed. Called by `make check` after the normal and the
# sanitizer builds; logs of each suite land in build/test-logs/.
set -uo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
BUILD=${BUILD:-build}
ASAN=${ASAN:-build-asan}
LOGS="$BUILD/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
passed=0
failed=0
skipped=0
failures=()

# Counts a cmocka TAP log: "ok N - name", "not ok N - name", "# SKIP".
count_tap() {
  local log=$1 name=$2 p f s
  # cmocka prints a skipped case as "not ok N # SKIP name"
  p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP' || true)
  s=$(grep -E '^(not )?ok [0-9]+' "$log" | grep -c '# SKIP' || true)
  f=$(grep -E '^not ok [0-9]+' "$log" | grep -vc '# SKIP' || true)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$f" -gt 0 ]; then failures+=("$name"); fi
  printf '  %-40s %4d passed %4d failed %4d skipped\n' "$name" "$p" "$f" "$s"
}

# A suite that produced no TAP at all (crashed before its plan) counts as one failure.
suite_failed() {
  failed=$((failed + 1)); failures+=("$1")
  printf '  %-40s crashed or printed no results (see %s)\n' "$1" "$2"
}

run_units() {
  local dir=$1 label=$2 pgurl=${3:-}
  for t in "$dir"/test_*; do
    [ -x "$t" ] || continue
    local name log
    name="$label/$(basename "$t")"
    log="$LOGS/${label}_$(basename "$t").tap"
    CMOCKA_MESSAGE_OUTPUT=TAP FTZ_SRC="$top" FTZ_TEST_PG_URL="$pgurl" \
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      timeout 300 "$t" >"$log" 2>&1
    local rc=$?
    if ! grep -qE '^(not )?ok [0-9]+' "$log"; then
      suite_failed "$name" "$log"
    else
      count_tap "$log" "$name"
      if [ $rc -ne 0 ] && [ "$(grep -E '^not ok' "$log" | grep -vc '# SKIP')" -eq 0 ]; then
        # e.g. LeakSanitizer reports after all cases passed
        suite_failed "$name (exit $rc)" "$log"
      fi
    fi
  done
}

# node --test with the TAP reporter ends with "# pass N", "# fail N", "# skipped N".
run_node() {
  local name=$1 log="$LOGS/$2.tap"
  shift 2
  ( "$@" ) >"$log" 2>&1
  local rc=$?
  local p f s
  p=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  s=$(grep -E '^# skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
  if [ -z "$p" ]; then suite_failed "$name" "$log"; return; fi
  passed=$((passed + p)); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "${f:-0}" -gt 0 ] || [ $rc -ne 0 ]; then
    failures+=("$name")
    if [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
  fi
  printf '  %-40s %4d passed %4d failed %4d skipped\n' "$name" "$p" "${f:-0}" "${s:-0}"
}

echo "== lint"
run_node "lint" lint bash scripts/lint.sh

# A throw-away PostgreSQL 15 for the unit and API suites that run on it.
PGDIR=$(mktemp -d /tmp/ftzpg.XXXXXX)
PG_OK=0
if bash scripts/pg-test-server.sh start "$PGDIR" >"$LOGS/pg-start.log" 2>&1; then
  PG_OK=1
  PG_UNIT_URL=$(bash scripts/pg-test-server.sh createdb "$PGDIR" ftz_unit 2>>"$LOGS/pg-start.log")
  PG_API_URL=$(bash scripts/pg-test-server.sh createdb "$PGDIR" ftz_api 2>>"$LOGS/pg-start.log")
  export PG_UNIT_URL
else
  echo "  PostgreSQL did not start (see $LOGS/pg-start.log)"
  failed=$((failed + 1)); failures+=("postgresql start")
fi
trap 'bash scripts/pg-test-server.sh stop "$PGDIR" >/dev/null 2>&1 || true' EXIT

echo "== unit tests"
run_units "$BUILD" unit "${PG_UNIT_URL:-}"
echo "== unit tests under ASan+UBSan (SQLite)"
run_units "$ASAN" asan

echo "== API tests (SQLite)"
run_node "api/sqlite" api_sqlite env FTZ_BIN="$top/$BUILD/ftz" FTZ_TEST_DB=sqlite \
  node --test --test-reporter=tap --test-concurrency=1 tests/api/
if [ $PG_OK -eq 1 ]; then
  echo "== API tests (PostgreSQL 15)"
  run_node "api/postgresql" api_pg env FTZ_BIN="$top/$BUILD/ftz" FTZ_TEST_DB=pg \
    FTZ_TEST_PG_DIR="$PGDIR" node --test --test-reporter=tap --test-concurrency=1 tests/api/
fi
echo "== API tests (SQLite, ASan+UBSan server)"
run_node "api/sqlite-asan" api_asan env FTZ_BIN="$top/$ASAN/ftz" FTZ_TEST_DB=sqlite FTZ_TEST_ASAN=1 \
  ASAN_OPTIONS=detect_leaks=1 node --test --test-reporter=tap --test-concurrency=1 tests/api/

if [ -f web/package.json ]; then
  echo "== web: i18n completeness"
  run_node "web/i18n" web_i18n node --test --test-reporter=tap web/test/
  echo "== browser tests (Playwright + Debian's Chromium)"
  mkdir -p "$BUILD/test-artifacts/e2e"
  run_node "e2e" e2e env FTZ_BIN="$top/$BUILD/ftz" FTZ_WEB_DIR="$top/web/dist" \
    FTZ_E2E_ARTIFACTS="$top/$BUILD/test-artifacts/e2e" \
    node --test --test-reporter=tap --test-concurrency=1 tests/e2e/
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
