#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests: `cluster.sh start STATE_DIR` initialises one in a
# fresh temp dir (as the postgres user when run as root), starts it on a free loopback port with a
# non-superuser role `dg` owning database `dg`, and writes its URL to STATE_DIR/url;
# `cluster.sh stop STATE_DIR` stops it and removes the temp dir. `cluster.sh admin STATE_DIR SQL`
# runs SQL as the cluster's superuser (tests use it to cut connections).
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop|admin STATE_DIR [SQL]}
state=${2:?usage: cluster.sh start|stop|admin STATE_DIR [SQL]}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL server binaries not found (install postgresql-15)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  "$0" stop "$state" >/dev/null 2>&1 || true
  mkdir -p "$state"
  tmp=$(mktemp -d /tmp/dg-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$tmp"
  echo "$tmp" > "$state/cluster-dir"
  pw=dg-test-$RANDOM$RANDOM
  as_pg "$bindir/initdb" -D "$tmp/data" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 1; }
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    cat > "$tmp/data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp'
max_connections = 200
shared_buffers = 64MB
fsync = on
synchronous_commit = on
log_min_messages = warning
CONF
    if as_pg "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 start >/dev/null 2>&1; then
      as_pg "$bindir/psql" -h "$tmp" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE dg LOGIN PASSWORD '$pw' NOSUPERUSER NOBYPASSRLS" -c "CREATE DATABASE dg OWNER dg" >/dev/null
      echo "$port" > "$state/port"
      echo "postgresql://dg:$pw@127.0.0.1:$port/dg" > "$state/url"
      echo "PostgreSQL test cluster on 127.0.0.1:$port ($tmp)"
      exit 0
    fi
  done
  cat "$tmp/server.log" >&2
  exit 1
  ;;
stop)
  [ -f "$state/cluster-dir" ] || exit 0
  tmp=$(cat "$state/cluster-dir")
  [ -d "$tmp/data" ] && as_pg "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp" "$state/cluster-dir" "$state/url" "$state/port"
  echo "PostgreSQL test cluster stopped"
  ;;
admin)
  tmp=$(cat "$state/cluster-dir")
  as_pg "$bindir/psql" -h "$tmp" -p "$(cat "$state/port")" -U postgres -d dg -qAt -v ON_ERROR_STOP=1 -c "${3:?SQL}"
  ;;
*) echo "usage: cluster.sh start|stop|admin STATE_DIR [SQL]" >&2; exit 2 ;;
esac
