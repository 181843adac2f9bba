#!/usr/bin/env bash
# bench/run.sh — runs ftz's benchmarks (bench/README.md says what each measures and against
# which anchor). `make bench` installs the tools (scripts/deps.sh --bench), builds build/ftz
# and runs this.
#
#   bash bench/run.sh          every benchmark
#   bash bench/run.sh http     only the named ones
#
# Each benchmark is bench/NAME/run.sh; it exits non-zero when a request errored, and so does
# this script when any benchmark did (the others still run). Settings are environment
# variables, listed at the top of each benchmark's run.sh (e.g. BENCH_DURATION=30s).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
all=(http demands)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")

failed=()
for name in "${names[@]}"; do
  if [ ! -f "$here/$name/run.sh" ]; then
    echo "bench: no benchmark '$name' (known: ${all[*]})" >&2
    exit 2
  fi
  echo "== bench/$name" >&2
  bash "$here/$name/run.sh" || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed: ${failed[*]}" >&2
  exit 1
fi
