#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the plan tests and
# prints the connection string. Installs PostgreSQL from Debian's packages
# when missing. Stop it with `scripts/postgres.sh stop DIR`.
#   usage: dir=$(mktemp -d); url=$(bash scripts/postgres.sh start "$dir" PORT)
set -euo pipefail
command=${1:?start or stop}
dir=${2:?data directory}
port=${3:-55432}

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "$command" in
  start)
    if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/pg_ctl" ]; then
      echo "[postgres] apt-get install postgresql" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    bin=$(bin_dir)
    chown postgres "$dir"
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U clearance >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" >/dev/null
    echo "host=127.0.0.1 port=$port user=clearance dbname=postgres"
    ;;
  stop)
    bin=$(bin_dir)
    [ -d "$dir/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
