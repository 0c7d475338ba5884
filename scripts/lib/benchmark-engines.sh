# shellcheck shell=bash
# The body the per-engine benchmarks (agents, workspace, marketplace, broker, CLI) share. Source it from the
# repository's root (it brings the server, throwaway PostgreSQL and option helpers with it), then call
#   bench_parse_options "$@"; bench_run_engines NAME PYTHON_MODULE
# Per engine in ENGINES: a fresh `gstacks server` (PostgreSQL on a throwaway server with fsync=on), a signed-in
# admin and an active tenant, then `PYTHON_MODULE measure ENGINE`; finally `PYTHON_MODULE report`.
# Builds the release binary unless BUILD=0; installs `websockets` into .venv-bench; keeps logs on failure.

# shellcheck source=scripts/lib/gstacks-server.sh
source scripts/lib/gstacks-server.sh
# shellcheck source=scripts/postgres-throwaway.sh
source scripts/postgres-throwaway.sh
# shellcheck source=scripts/lib/benchmark-options.sh
source scripts/lib/benchmark-options.sh

bench_run_engines() {
    local name=$1 module=$2
    export GSTACKS_ADMIN_EMAIL=${GSTACKS_ADMIN_EMAIL:-bench-admin@example.com}
    GSTACKS_ADMIN_PASSWORD=${GSTACKS_ADMIN_PASSWORD:-$(gs_random_secret)}
    export GSTACKS_ADMIN_PASSWORD
    export BIN=${GSTACKS_BIN:-$ROOT/.build-release/release/gstacks}
    local log_level=${BENCH_LOG_LEVEL:-warning}
    VENV=$ROOT/.venv-bench
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstacks-$name.XXXXXX")
    export WORK
    BENCH_NAME=$name
    FAILED=1
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM

    if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import websockets' 2>/dev/null; then
        bench_log "installing websockets into $VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q 'websockets==15.0.1'
    fi
    if [[ $BUILD -eq 1 ]]; then
        bench_log "building: swift build -c release --product gstacks --scratch-path .build-release"
        swift build -c release --product gstacks --scratch-path "$ROOT/.build-release" >&2
    fi
    [[ -x "$BIN" ]] || { echo "$name: $BIN is missing; run without --skip-build" >&2; exit 1; }
    bench_describe_binary "$BIN"
    # Thousands of agents need thousands of descriptors, in the server and in the simulator.
    ulimit -n "$(ulimit -Hn)"

    local results=$WORK/results.jsonl engine
    IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
    for engine in "${ENGINE_LIST[@]}"; do
        local flags=(--data-dir "$WORK/data-$engine" --log-level "$log_level" --bcrypt-cost 10)
        case "$engine" in
            sqlite) ;;
            postgresql)
                pg_throwaway_start
                flags+=(--database-url "$PG_URL") ;;
            *) echo "unknown engine '$engine'" >&2; exit 2 ;;
        esac
        bench_log "$engine: starting the server"
        gs_server_start "$BIN" "$WORK/server-$engine.log" "${flags[@]}"
        export GS_BASE_URL GS_PID
        gs_sign_in
        export GS_COOKIE
        gs_create_active_tenant Bench "bench-$engine" >/dev/null
        "$VENV/bin/python" "$module" measure "$engine" >>"$results"
        gs_server_stop
        [[ "$engine" == postgresql ]] && pg_throwaway_stop
    done

    export BENCH_MACHINE="$(nproc) cores, $(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1048576)) GiB"
    export BENCH_COMMAND="scripts/$name.sh ${ORIGINAL_ARGS[*]}"
    export BENCH_RECORD=$RECORD
    "$VENV/bin/python" "$module" report "$results"
    FAILED=0
}

bench_log() { printf '[%s] %s\n' "$BENCH_NAME" "$*" >&2; }

bench_cleanup() {
    local status=$?
    gs_server_stop
    pg_throwaway_stop
    if [[ $FAILED -eq 0 ]]; then rm -rf "$WORK"; else echo "$BENCH_NAME: FAILED (exit $status); logs kept in $WORK" >&2; fi
}
