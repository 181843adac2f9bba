#!/usr/bin/env bash
# lint.sh — the static checks of `make check`, reported as TAP like the other suites:
# banned functions (curl's checksrc idea, DESIGN.md §9), clang-format, and markers of
# unfinished work in the sources.
set -uo pipefail
cd "$(dirname "$0")/.."
n=0; fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

echo "TAP version 13"
srcs=$(git ls-files 'src/*.c' 'src/*.h' 2>/dev/null || find src -name '*.[ch]')

# 1. banned functions: no strcpy strcat sprintf vsprintf gets atoi atol strtok, and no bare
#    malloc/calloc/realloc/free/strdup outside core/mem.c.
banned=$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok)\s*\(' $srcs \
  | grep -vE '\b(snprintf|vsnprintf|fgets)\b' || true)
if [ -z "$banned" ]; then ok "no banned string functions"; else notok "banned string functions"; echo "$banned" | sed 's/^/# /'; fi
bare=$(grep -nE '(^|[^_a-z])(malloc|calloc|realloc|strdup|strndup)\s*\(' $srcs | grep -v '^src/core/mem.c' || true)
if [ -z "$bare" ]; then ok "no bare allocation outside core/mem.c"; else notok "bare allocation"; echo "$bare" | sed 's/^/# /'; fi
# free() is allowed only for what a library hands back by its own rule, marked on the line.
frees=$(grep -nE '(^|[^_a-z])free\s*\(' $srcs | grep -v '^src/core/mem.c' | grep -vE "jansson|libevent|evhttp|library|its own rule" || true)
if [ -z "$frees" ]; then ok "free() only for library-owned memory, marked"; else notok "bare free()"; echo "$frees" | sed 's/^/# /'; fi

# 2. clang-format clean
unformatted=""
for f in $srcs $(git ls-files 'tests/unit/*.c' 2>/dev/null); do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then unformatted="$unformatted $f"; fi
done
if [ -z "$unformatted" ]; then ok "clang-format clean"; else notok "clang-format:$unformatted"; fi

# 3. no markers of unfinished work behind features
markers=$(grep -nE 'TODO|FIXME|\bXXX\b|not implemented' $srcs || true)
if [ -z "$markers" ]; then ok "no TODO/FIXME markers in src"; else notok "unfinished-work markers"; echo "$markers" | sed 's/^/# /'; fi

echo "1..$n"
echo "# pass $((n - fails))"
echo "# fail $fails"
[ $fails -eq 0 ]
