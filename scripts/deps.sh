#!/usr/bin/env bash
# deps.sh — installs every build and test dependency of ftz from Debian's packages
# (and the web's from npm once web/ exists). Idempotent: when everything is present it
# checks, prints nothing and exits 0. Run as root (CI and the dev machines are root);
# otherwise it uses sudo when available.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates
  libevent-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev
  libxml2-dev libsodium-dev libutf8proc-dev libinih-dev libcsv-dev
  libxlsxwriter-dev libzip-dev libcmocka-dev
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

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  # The postgresql package would start a cluster of its own; tests start their own.
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
