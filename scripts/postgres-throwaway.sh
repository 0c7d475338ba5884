# shellcheck shell=bash
# A throwaway PostgreSQL server for benchmarks and tests.
#
#   source scripts/postgres-throwaway.sh
#   pg_throwaway_start          # exports PG_URL, PG_THROWAWAY_DIR, PG_THROWAWAY_PORT
#   gstacks server --database-url "$PG_URL" ...
#   pg_throwaway_stop           # stops the server and deletes its directory
#
# Executed instead of sourced (`bash scripts/postgres-throwaway.sh`), it starts a
# server, runs `select version()` through PG_URL and stops it again (a self-test).
#
# Settings (environment):
#   PG_BIN              server binaries (default: /usr/lib/postgresql/15/bin, else the
#                       newest /usr/lib/postgresql/*/bin, else the directory of pg_ctl on PATH)
#   FSYNC               on (default) | off. Benchmarks claim durability, so fsync stays on
#                       unless you explicitly trade it away for speed in tests.
#   PG_THROWAWAY_TMPDIR parent of the throwaway directory (default /tmp). As root it must be
#                       traversable by the `postgres` user.
#
# Works as root (initdb refuses to run as root, so the server runs as `postgres` through
# runuser) and as any non-root user (the server runs as that user, who owns the directory).
# Authentication is `trust` on 127.0.0.1 only: PG_URL carries no password.
#
# The functions do not change the caller's shell options (no `set -e` here); they return
# non-zero and print the server log on failure.

_pg_throwaway_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        printf '%s\n' "$PG_BIN"
    elif [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
        printf '%s\n' /usr/lib/postgresql/15/bin
    else
        local newest
        newest=$(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '\*' | sort -V | tail -n 1 || true)
        if [[ -n "$newest" ]]; then
            printf '%s\n' "$newest"
        elif command -v pg_ctl >/dev/null 2>&1; then
            dirname "$(command -v pg_ctl)"
        else
            echo "postgres-throwaway: no PostgreSQL server binaries found; install them (apt-get install -y postgresql) or set PG_BIN" >&2
            return 1
        fi
    fi
}

# Runs a command as the user that owns the cluster: `postgres` when we are root, else ourselves.
_pg_throwaway_as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
_pg_throwaway_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_throwaway_start() {
    if [[ -n "${PG_THROWAWAY_DIR:-}" && -d "${PG_THROWAWAY_DIR:-}" ]]; then
        echo "postgres-throwaway: already running in $PG_THROWAWAY_DIR (call pg_throwaway_stop first)" >&2
        return 1
    fi
    local bin fsync dir port
    bin=$(_pg_throwaway_bin) || return 1
    fsync=${FSYNC:-on}
    case "$fsync" in
        on | off) ;;
        *) echo "postgres-throwaway: FSYNC must be 'on' or 'off' (got '$fsync')" >&2; return 1 ;;
    esac

    dir=$(mktemp -d "${PG_THROWAWAY_TMPDIR:-/tmp}/gstacks-pg.XXXXXX") || return 1
    if [[ "$(id -u)" -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "postgres-throwaway: running as root needs the 'postgres' user (initdb refuses root)" >&2
            rm -rf "$dir"
            return 1
        fi
        chown postgres: "$dir"
    fi

    # --no-sync only skips flushing the freshly created files once; the running server
    # honours FSYNC for everything it writes afterwards.
    if ! _pg_throwaway_as_owner "$bin/initdb" -D "$dir/data" -A trust -U gstacks -E UTF8 --no-sync \
        >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        return 1
    fi

    # The port is free when we look; another process may take it before postgres binds,
    # so try a few times.
    for _ in 1 2 3 4 5; do
        port=$(_pg_throwaway_free_port) || { rm -rf "$dir"; return 1; }
        if _pg_throwaway_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=$fsync" start >/dev/null; then
            break
        fi
        port=""
    done
    if [[ -z "$port" ]]; then
        echo "postgres-throwaway: the server did not start; its log:" >&2
        cat "$dir/server.log" >&2 2>/dev/null
        rm -rf "$dir"
        return 1
    fi

    export PG_THROWAWAY_DIR="$dir" PG_THROWAWAY_PORT="$port" PG_THROWAWAY_BIN="$bin"
    if ! "$bin/createdb" -h 127.0.0.1 -p "$port" -U gstacks gstacks; then
        pg_throwaway_stop
        return 1
    fi
    export PG_URL="postgres://gstacks@127.0.0.1:$port/gstacks?sslmode=disable"
    echo "postgres-throwaway: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (fsync=$fsync), data in $dir" >&2
}

pg_throwaway_stop() {
    local dir=${PG_THROWAWAY_DIR:-}
    [[ -n "$dir" ]] || return 0
    if [[ -d "$dir/data" ]]; then
        _pg_throwaway_as_owner "${PG_THROWAWAY_BIN:-$(_pg_throwaway_bin)}/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    unset PG_THROWAWAY_DIR PG_THROWAWAY_PORT PG_THROWAWAY_BIN PG_URL
}

# Self-test when executed rather than sourced.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    trap pg_throwaway_stop EXIT
    pg_throwaway_start
    "$PG_THROWAWAY_BIN/psql" "$PG_URL" -Atc 'select version(); show fsync;'
    echo "PG_URL=$PG_URL"
fi
