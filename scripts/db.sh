# shellcheck shell=bash
# The database bootstrap shared by scripts/serve and scripts/test; source it, then
# call `abroad_database <database> [fast]`. It exports DATABASE_URL:
#   - DATABASE_URL as given, when a server answers there;
#   - otherwise a private PostgreSQL cluster for this checkout, started (or reused
#     when already running) on 127.0.0.1 and a free port, with trust auth. Its data
#     lives in .abroad/ inside the project when the `postgres` user can reach it,
#     else in a per-project folder under the temp directory. Debian's postgresql
#     package is installed with apt-get when initdb is missing.
# `fast` turns fsync off: for tests, whose databases are thrown away.

set -euo pipefail

ABROAD_ROOT=${ABROAD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Runs a PostgreSQL server command as the cluster's owner: initdb refuses root.
as_cluster_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
    say "installing $* with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin_dir() {
    if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# The client library and tools the build and this script need (libpq for diesel).
ensure_postgres_installed() {
    local missing=()
    [ -n "$(pg_bin_dir || true)" ] || missing+=(postgresql)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

database_answers() {
    command -v psql >/dev/null 2>&1 || return 1
    PGCONNECT_TIMEOUT=3 psql "$1" -XAtqc 'SELECT 1' >/dev/null 2>&1
}

# Where the private cluster lives: inside the project if the cluster's owner can
# enter it (a checkout under /root is not enterable by `postgres`), else /tmp.
cluster_home() {
    local inside="$ABROAD_ROOT/.abroad"
    if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$ABROAD_ROOT" 2>/dev/null; then
        echo "$inside"
    else
        local key
        key=$(printf '%s' "$ABROAD_ROOT" | sha256sum | cut -c1-12)
        echo "${TMPDIR:-/tmp}/abroad-pg-$key"
    fi
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local port
    port=$((54320 + 0x$(printf '%s' "$ABROAD_ROOT" | sha256sum | cut -c1-3) % 1000))
    while ! port_is_free "$port"; do port=$((port + 1)); done
    echo "$port"
}

start_private_cluster() {
    local fast=$1 bin home data port
    bin=$(pg_bin_dir)
    home=$(cluster_home)
    data="$home/data"
    mkdir -p "$home"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$home"
    chmod 700 "$home"

    if [ -f "$home/port" ] && as_cluster_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        port=$(cat "$home/port")
        say "reusing the PostgreSQL cluster in $home on port $port"
    else
        if [ ! -f "$data/PG_VERSION" ]; then
            say "creating a PostgreSQL cluster in $home"
            as_cluster_owner "$bin/initdb" -D "$data" -U postgres --auth=trust \
                --encoding=UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 \
                || { cat "$home/initdb.log" >&2; return 1; }
        fi
        port=$(free_port)
        local options="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$home -c max_connections=300"
        if [ "$fast" = fast ]; then
            options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        fi
        say "starting PostgreSQL on 127.0.0.1:$port"
        as_cluster_owner "$bin/pg_ctl" -D "$data" -l "$home/server.log" -o "$options" -w -t 60 start >/dev/null \
            || { tail -n 30 "$home/server.log" >&2; return 1; }
        echo "$port" >"$home/port"
    fi
    ABROAD_PG_PORT=$port
}

# abroad_database DATABASE [fast]: exports DATABASE_URL for DATABASE (created if
# missing) on the private cluster, unless DATABASE_URL already answers.
abroad_database() {
    local database=$1 fast=${2:-}
    if [ -n "${DATABASE_URL:-}" ]; then
        if database_answers "$DATABASE_URL"; then
            say "using DATABASE_URL as given"
            return 0
        fi
        say "DATABASE_URL does not answer; starting a private cluster instead"
    fi
    ensure_postgres_installed
    start_private_cluster "$fast"
    local admin="postgres://postgres@127.0.0.1:$ABROAD_PG_PORT/postgres"
    if [ "$database" != postgres ] && [ "$(psql "$admin" -XAtqc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
        psql "$admin" -XAtqc "CREATE DATABASE $database" >/dev/null
    fi
    export DATABASE_URL="postgres://postgres@127.0.0.1:$ABROAD_PG_PORT/$database"
}
