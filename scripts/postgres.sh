#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the server's tests, installing Debian's PostgreSQL
# first when `initdb` is missing. Sourced by scripts/test.sh:
#
#   source scripts/postgres.sh   # exports CARNET_TEST_DATABASE_URL and CARNET_REQUIRE_POSTGRES
#
# The cluster lives in a temporary folder, owned by the unprivileged `postgres` user
# (initdb and postgres refuse root), listens on a free loopback port only, and is stopped
# and deleted by an EXIT trap. The tests then run every server test against it too, each
# in a database of its own. If PostgreSQL cannot be had, CARNET_REQUIRE_POSTGRES=1 is
# still exported: the PostgreSQL tests then fail loudly instead of passing silently.
#
# Run by hand: `bash scripts/postgres.sh --shell` opens a shell with the URL set, and
# stops the cluster when that shell exits.

export CARNET_REQUIRE_POSTGRES=1

pg_say() { printf '==> %s\n' "$*"; }
pg_loud() {
  printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!!! %s\n' "$@" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

pg_bindir() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

pg_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

pg_start() {
  local bin
  bin=$(pg_bindir || true)
  if [ -z "$bin" ]; then
    pg_say "installing PostgreSQL (Debian packages)"
    pg_as_root apt-get update -qq || true
    pg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || true
    bin=$(pg_bindir || true)
  fi
  if [ -z "$bin" ]; then
    pg_loud "PostgreSQL could not be installed (apt-get install postgresql failed)." \
      "The PostgreSQL variants of the server tests will FAIL: CARNET_REQUIRE_POSTGRES=1 is set" \
      "and CARNET_TEST_DATABASE_URL is not."
    unset CARNET_TEST_DATABASE_URL
    return 0
  fi

  # initdb and postgres refuse to run as root: use the `postgres` account when we are root.
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
    fi
    run=(runuser -u postgres --)
  fi

  CARNET_PG_DIR=$(mktemp -d /tmp/carnet-pg.XXXXXX)
  chmod 755 "$CARNET_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$CARNET_PG_DIR"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

  pg_say "starting a throwaway PostgreSQL $("$bin/postgres" --version | grep -o '[0-9][0-9.]*' | head -n 1) on 127.0.0.1:$port"
  if ! "${run[@]}" "$bin/initdb" -D "$CARNET_PG_DIR/data" -A trust -U carnet -E UTF8 --no-sync >"$CARNET_PG_DIR/initdb.log" 2>&1; then
    cat "$CARNET_PG_DIR/initdb.log" >&2
    pg_loud "initdb failed: the PostgreSQL variants of the server tests will FAIL."
    unset CARNET_TEST_DATABASE_URL
    return 0
  fi
  if ! "${run[@]}" "$bin/pg_ctl" -D "$CARNET_PG_DIR/data" -w -t 60 -l "$CARNET_PG_DIR/server.log" \
    -o "-p $port -k $CARNET_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null; then
    cat "$CARNET_PG_DIR/server.log" >&2
    pg_loud "PostgreSQL did not start: the PostgreSQL variants of the server tests will FAIL."
    unset CARNET_TEST_DATABASE_URL
    return 0
  fi
  CARNET_PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$CARNET_PG_DIR/data" -m immediate stop)
  trap 'pg_stop' EXIT
  export CARNET_TEST_DATABASE_URL="postgres://carnet@127.0.0.1:$port/postgres"
  pg_say "CARNET_TEST_DATABASE_URL=$CARNET_TEST_DATABASE_URL"
}

pg_stop() {
  if [ -n "${CARNET_PG_DIR:-}" ]; then
    "${CARNET_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$CARNET_PG_DIR"
    CARNET_PG_DIR=
  fi
}

pg_start

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "${1:-}" = "--shell" ]; then
  pg_say "a shell with CARNET_TEST_DATABASE_URL set; exit it to stop PostgreSQL"
  bash -i || true
fi
