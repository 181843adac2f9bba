#!/usr/bin/env bash
# pg-test-server.sh — a throw-away PostgreSQL 15 server for the tests (DESIGN.md §6).
#
#   scripts/pg-test-server.sh start DIR          initialises a cluster in DIR, starts it on a
#                                                free TCP port of 127.0.0.1 and prints its URL
#                                                (also written to DIR/url)
#   scripts/pg-test-server.sh createdb DIR NAME  creates database NAME there and prints its URL
#                                                (the tests use one database per suite)
#   scripts/pg-test-server.sh stop DIR           stops the server and removes DIR
#
# DIR is an absolute path that does not exist yet or is an empty directory, and every
# directory above it must be searchable by the server's user (so not inside a `mktemp -d`
# directory of mode 0700: use DIR=$(mktemp -d) itself, or a path directly under /tmp). The
# socket lives in DIR itself, so DIR must be short (a socket path has at most 107 bytes).
# If start fails, DIR stays for its logs (initdb.log, postgres.log); `stop DIR` removes it.
# Each start picks a port that nothing listens on and tries another if it loses the race.
#
# It uses Debian's binaries in /usr/lib/postgresql/15/bin directly, never the system cluster
# (pg_ctlcluster). Run as root (as CI does), it runs the server as the `postgres` user with
# runuser, since PostgreSQL refuses to run as root; run as any other user, it runs the server
# as that user. The superuser is always called `postgres` and authentication is `trust`:
# this server is for tests only and listens on 127.0.0.1 alone.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARKER=.ftz-pg-test # written into DIR so that `stop` never removes a directory we did not make

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start DIR | stop DIR | createdb DIR NAME" >&2
  exit 2
}

# as_pg CMD… — runs a command as the server's user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# port_busy PORT — true when something listens on 127.0.0.1:PORT (or on every address).
port_busy() {
  local port=$1
  if command -v ss >/dev/null 2>&1 &&
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
    return 0
  fi
  # ss may be missing: a connection that succeeds means the port is taken.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return 0
  fi
  return 1
}

# pick_port — prints a port of 127.0.0.1 that nothing listens on (the start is retried on
# another port if the server loses the race for it).
pick_port() {
  local _ port
  for _ in $(seq 1 200); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! port_busy "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free TCP port found on 127.0.0.1"
}

check_dir_name() {
  local dir=$1
  case $dir in
  /*) ;;
  *) die "DIR must be an absolute path: $dir" ;;
  esac
  # The path goes into the server's command line (-o "…") and its socket path.
  case $dir in
  *[[:space:]\'\"\\\$\`]*) die "DIR must not contain spaces, quotes, \\, \$ or \`: $dir" ;;
  esac
}

cmd_start() {
  local dir=$1
  check_dir_name "$dir"
  [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found (apt-get install postgresql-15)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "user postgres does not exist (install postgresql-15)"
  fi
  # Socket path: DIR/.s.PGSQL.NNNNN (+1 NUL) must fit in sun_path (108 bytes).
  [ $((${#dir} + 18)) -le 107 ] || die "DIR is too long for a Unix socket path: $dir"
  local created=
  if [ -e "$dir" ]; then
    [ -d "$dir" ] || die "$dir exists and is not a directory"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  else
    mkdir -p "$dir"
    created=1
  fi
  chmod 0700 "$dir"
  : >"$dir/$MARKER"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$dir"
    if ! as_pg test -w "$dir"; then
      if [ -n "$created" ]; then rm -rf -- "$dir"; else rm -f -- "${dir:?}/$MARKER"; fi
      die "user postgres cannot reach $dir: every directory above it must be searchable (o+x)"
    fi
  fi
  # From here on DIR holds the marker: after a failure, `stop DIR` removes it (the logs in
  # it say what went wrong).

  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 -A trust \
    --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    rm -f "$dir/postgres.log" # so that the check below reads this attempt only
    if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start -o \
      "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=on -c synchronous_commit=on" \
      >"$dir/pg_ctl.log" 2>&1; then
      echo "$port" >"$dir/port"
      echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
      cat "$dir/url"
      return 0
    fi
    # A port taken between the check and the bind shows in the log; anything else is fatal.
    if ! grep -q "could not bind\|Address already in use" "$dir/postgres.log" 2>/dev/null; then
      cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2 2>/dev/null || true
      stop_server "$dir"
      die "the server did not start (log: $dir/postgres.log)"
    fi
    stop_server "$dir"
  done
  die "the server could not bind a port after $attempt attempts"
}

# stop_server DIR — stops the server if it runs; never leaves a process behind.
stop_server() {
  local dir=$1 pid _
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -w -t 30 -m fast stop >/dev/null 2>&1 ||
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -w -t 10 -m immediate stop >/dev/null 2>&1 || true
  # pg_ctl waits for the postmaster; make sure of it (it is our process, by its pid).
  case $pid in
  '' | *[!0-9]*) return 0 ;;
  esac
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  local dir=$1
  check_dir_name "$dir"
  [ -d "$dir" ] || die "$dir does not exist"
  [ -f "$dir/$MARKER" ] || die "$dir was not made by $0; not touching it"
  stop_server "$dir"
  rm -rf -- "$dir"
}

cmd_createdb() {
  local dir=$1 name=$2
  check_dir_name "$dir"
  if [ ! -f "$dir/$MARKER" ] || [ ! -f "$dir/port" ]; then die "no test server in $dir"; fi
  [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "bad database name '$name' (use [a-z_][a-z0-9_]*)"
  local port
  port=$(cat "$dir/port")
  as_pg "$PGBIN/createdb" -h "$dir" -p "$port" -U postgres -E UTF8 -T template0 "$name" ||
    die "createdb $name failed"
  echo "postgresql://postgres@127.0.0.1:$port/$name"
}

[ $# -ge 1 ] || usage
case $1 in
start)
  [ $# -eq 2 ] || usage
  cmd_start "$2"
  ;;
stop)
  [ $# -eq 2 ] || usage
  cmd_stop "$2"
  ;;
createdb)
  [ $# -eq 3 ] || usage
  cmd_createdb "$2" "$3"
  ;;
*) usage ;;
esac
