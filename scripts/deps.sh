#!/usr/bin/env bash
# deps.sh — installs every build and test dependency of ftz from Debian's packages
# (and the web's from npm once web/ exists). Idempotent: when everything is present it
# checks, prints nothing and exits 0. Run as root (CI and the dev machines are root);
# otherwise it uses sudo when available.
#
#   bash scripts/deps.sh           build and test dependencies (what CI and `make check` need)
#   bash scripts/deps.sh --bench   the same, plus the benchmark tools of bench/ (wrk and
#                                  nginx-light); only `make bench` asks for them
set -euo pipefail

BENCH=0
for arg in "$@"; do
  case "$arg" in
    --bench) BENCH=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deps: unknown option '$arg' (usage: deps.sh [--bench])" >&2; exit 2 ;;
  esac
done

PKGS=(
  build-essential cmake pkg-config git ca-certificates
  libevent-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev
  libxml2-dev libsodium-dev libutf8proc-dev libinih-dev libcsv-dev
  libxlsxwriter-dev libzip-dev libcmocka-dev
  chromium fonts-noto-cjk
  postgresql-15 postgresql-client-15
  clang-format curl
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js: Debian's only where no node is present at all.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

# Benchmark tools, only with --bench. wrk is the load generator; nginx is the anchor that
# bench/http/run.sh starts itself on a loopback port with its own config (the system's
# nginx is never used). Any nginx flavour already installed will do: nginx-light conflicts
# with nginx-core/-full/-extras, so it is only added where no nginx binary exists.
new_nginx=0
if [ "$BENCH" = 1 ]; then
  if ! dpkg-query -W -f='${Status}' wrk 2>/dev/null | grep -q "install ok installed"; then
    missing+=(wrk)
  fi
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    missing+=(nginx-light)
    new_nginx=1
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  # The postgresql package would start a cluster of its own; tests start their own.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Where systemd runs, installing nginx enables and starts the system's nginx on port 80;
  # the benchmark does not want it, so the unit this install just started is turned off.
  if [ "$new_nginx" = 1 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now nginx.service >/dev/null 2>&1 || true
    echo "deps: nginx installed for the benchmark; its system service is disabled" >&2
  fi
fi

# Web dependencies, from the committed lockfile.
top="$(cd "$(dirname "$0")/.." && pwd)"
if [ -f "$top/web/package-lock.json" ]; then
  if [ ! -d "$top/web/node_modules" ] || [ "$top/web/package-lock.json" -nt "$top/web/node_modules/.package-lock.json" ]; then
    (cd "$top/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
if [ -f "$top/tests/package-lock.json" ]; then
  if [ ! -d "$top/tests/node_modules" ] || [ "$top/tests/package-lock.json" -nt "$top/tests/node_modules/.package-lock.json" ]; then
    (cd "$top/tests" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
exit 0
