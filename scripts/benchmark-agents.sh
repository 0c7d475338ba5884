#!/usr/bin/env bash
# Agents and sandboxes: command dispatch latency (API call → agent's ack, noop driver), sandbox
# create → running (process driver), and how many agents one server holds connected with 10 s
# heartbeats (resident memory, heartbeat lag), on SQLite and on PostgreSQL.
#
#   scripts/benchmark-agents.sh            # build, measure, print a markdown table
#   scripts/benchmark-agents.sh --record   # ... and replace the "Agents and sandboxes" section of docs/benchmarks.md
#
# Per engine (sqlite, then postgresql on a throwaway server with fsync=on): builds the release binary
# (swift build -c release --product gstacks --scratch-path .build-release), starts `gstacks server`
# on a free loopback port with a fresh database (file descriptors raised to the hard limit), signs in,
# creates and activates a tenant, then runs scripts/lib/agents_benchmark.py, which documents each
# phase and its reference. Any unexpected API answer, a command not acknowledged, a sandbox that fails
# or a fleet agent that cannot connect fails the run or is reported. Everything started is stopped on
# exit; logs are kept on failure.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default: both)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_DISPATCH [300]  BENCH_STARTUP [40]  (measured sandboxes per phase, after a short warm-up)
#   BENCH_AGENTS [10000]  BENCH_HEARTBEAT [10]  BENCH_STEADY [40]  (fleet size, heartbeat seconds, sampled seconds)
#   BENCH_SKIP_FLEET [0]  BENCH_LOG_LEVEL [warning]  FSYNC [on]  PG_BIN  GSTACKS_BIN
# Needs: swift, curl, python3 (the `websockets` package is installed into .venv-bench), and the
# PostgreSQL server binaries for the postgresql engine; bubblewrap for confined sandboxes.
set -Eeuo pipefail
trap 'echo "benchmark-agents: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/gstacks-server.sh
source scripts/lib/gstacks-server.sh
# shellcheck source=scripts/postgres-throwaway.sh
source scripts/postgres-throwaway.sh
# shellcheck source=scripts/lib/benchmark-options.sh
source scripts/lib/benchmark-options.sh

bench_parse_options "$@"

export GSTACKS_ADMIN_EMAIL=${GSTACKS_ADMIN_EMAIL:-bench-admin@example.com}
GSTACKS_ADMIN_PASSWORD=${GSTACKS_ADMIN_PASSWORD:-$(gs_random_secret)}
export GSTACKS_ADMIN_PASSWORD
export BIN=${GSTACKS_BIN:-$ROOT/.build-release/release/gstacks}
LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}
VENV=$ROOT/.venv-bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstacks-agentbench.XXXXXX")
export WORK
FAILED=1
cleanup() {
    local status=$?
    gs_server_stop
    pg_throwaway_stop
    if [[ $FAILED -eq 0 ]]; then rm -rf "$WORK"; else echo "benchmark-agents: FAILED (exit $status); logs kept in $WORK" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '[benchmark-agents] %s\n' "$*" >&2; }

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import websockets' 2>/dev/null; then
    log "installing websockets into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'websockets==15.0.1'
fi
if [[ $BUILD -eq 1 ]]; then
    log "building: swift build -c release --product gstacks --scratch-path .build-release"
    swift build -c release --product gstacks --scratch-path "$ROOT/.build-release" >&2
fi
[[ -x "$BIN" ]] || { echo "benchmark-agents: $BIN is missing; run without --skip-build" >&2; exit 1; }
bench_describe_binary "$BIN"
# Thousands of agents need thousands of descriptors, in the server and in the simulator.
ulimit -n "$(ulimit -Hn)"

RESULTS=$WORK/results.jsonl
IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
for engine in "${ENGINE_LIST[@]}"; do
    flags=(--data-dir "$WORK/data-$engine" --log-level "$LOG_LEVEL" --bcrypt-cost 10)
    case "$engine" in
        sqlite) ;;
        postgresql)
            pg_throwaway_start
            flags+=(--database-url "$PG_URL") ;;
        *) echo "unknown engine '$engine'" >&2; exit 2 ;;
    esac
    log "$engine: starting the server"
    gs_server_start "$BIN" "$WORK/server-$engine.log" "${flags[@]}"
    export GS_BASE_URL GS_PID
    gs_sign_in
    export GS_COOKIE
    gs_create_active_tenant Bench "bench-$engine" >/dev/null
    "$VENV/bin/python" scripts/lib/agents_benchmark.py measure "$engine" >>"$RESULTS"
    gs_server_stop
    [[ "$engine" == postgresql ]] && pg_throwaway_stop
done

export BENCH_MACHINE="$(nproc) cores, $(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1048576)) GiB"
export BENCH_COMMAND="scripts/benchmark-agents.sh ${ORIGINAL_ARGS[*]}"
export BENCH_RECORD=$RECORD
"$VENV/bin/python" scripts/lib/agents_benchmark.py report "$RESULTS"
FAILED=0
