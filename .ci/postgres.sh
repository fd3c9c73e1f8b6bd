# Starts a throw-away PostgreSQL server on 127.0.0.1 and exports ALERTS_TEST_POSTGRES.
# Used by .ci/run, and by developers: `source .ci/postgres.sh && start_postgres`.
start_postgres() {
  local bindir port dir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  port=${ALERTS_PG_PORT:-55432}
  dir=${ALERTS_PG_DIR:-/tmp/alerts-pg}
  if ! "$bindir/pg_isready" -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
    rm -rf "$dir" && mkdir -p "$dir" && chown postgres:postgres "$dir"
    su postgres -c "$bindir/initdb -D $dir/data -U postgres --auth=trust -E UTF8 >/dev/null"
    su postgres -c "$bindir/pg_ctl -D $dir/data -l $dir/log -o '-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off' -w start >/dev/null"
  fi
  export ALERTS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL on 127.0.0.1:$port"
}
