#!/usr/bin/env bash
# HTTP throughput and latency of `gstacks server` on SQLite and on PostgreSQL.
#
#   scripts/benchmark.sh            # build, measure, print a markdown table
#   scripts/benchmark.sh --record   # ... and add/replace today's section in docs/benchmarks.md
#
# What it does, per engine (sqlite, then postgresql on a throwaway server with fsync=on):
#   1. builds the release binary: swift build -c release --product gstacks --scratch-path .build-release
#      (a scratch path of its own, so it never clashes with debug builds in .build);
#   2. starts `gstacks server` on a free 127.0.0.1 port with a fresh database, a site admin from
#      GSTACKS_ADMIN_EMAIL / GSTACKS_ADMIN_PASSWORD (generated when unset) and a realistic bcrypt
#      cost; signs in, creates a tenant, activates it and creates one byo cluster so that the
#      lists are not empty;
#   3. runs `wrk -t2 -c64 -d10s --latency` against GET /healthz and, with the session cookie,
#      GET /v1/auth/session (a reference: no database read), GET /v1/organizations/current and
#      GET /v1/clusters: 3 runs each, interleaved (healthz, session, org, clusters, healthz, ...)
#      so that drift hits every endpoint alike, reading the CPU time the server and PostgreSQL
#      used during each run from /proc;
#   4. reports the medians over the runs of requests/s, p50, p99 and CPU per request, and each
#      authenticated endpoint's throughput as a share of /healthz. Target: >= 40 % of /healthz
#      and p99 < 10 ms for the two database reads.
# Any non-2xx response or socket error during a measured run fails the script.
# Everything it starts (servers, PostgreSQL) is stopped on exit.
#
# Options:
#   --record          write the results into docs/benchmarks.md (replaces today's section)
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default: both)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_THREADS [2]  BENCH_CONNECTIONS [64]  BENCH_DURATION [10s]  BENCH_RUNS [3]
#   BENCH_WARMUP [3s]  (one unrecorded wrk run per endpoint before measuring)
#   BENCH_BCRYPT_COST [10]  BENCH_LOG_LEVEL [warning]  (at info every request is logged)
#   GSTACKS_ADMIN_EMAIL [bench-admin@example.com]  GSTACKS_ADMIN_PASSWORD [random]
#   FSYNC [on]  PG_BIN  (see scripts/postgres-throwaway.sh)
#   GSTACKS_BIN  binary to measure with --skip-build (e.g. to try a debug build; never record those)
# Needs: swift, wrk, curl, python3, and the PostgreSQL server binaries for the postgresql engine.
set -Eeuo pipefail
# Say which command failed: set -e alone would exit silently.
trap 'echo "benchmark: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/gstacks-server.sh
source scripts/lib/gstacks-server.sh
# shellcheck source=scripts/postgres-throwaway.sh
source scripts/postgres-throwaway.sh
# shellcheck source=scripts/lib/benchmark-options.sh
source scripts/lib/benchmark-options.sh

bench_parse_options "$@"

THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
DURATION=${BENCH_DURATION:-10s}
RUNS=${BENCH_RUNS:-3}
WARMUP=${BENCH_WARMUP:-3s}
BCRYPT_COST=${BENCH_BCRYPT_COST:-10}
LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}
export GSTACKS_ADMIN_EMAIL=${GSTACKS_ADMIN_EMAIL:-bench-admin@example.com}
GSTACKS_ADMIN_PASSWORD=${GSTACKS_ADMIN_PASSWORD:-$(gs_random_secret)}
export GSTACKS_ADMIN_PASSWORD
BIN=${GSTACKS_BIN:-$ROOT/.build-release/release/gstacks}
# name|path|authenticated. `session` is a reference, not a target: authenticated, but answered from the
# cached principal without a database read, it is the ceiling of any authenticated route through the API stack.
ENDPOINTS=("healthz|/healthz|0" "session|/v1/auth/session|1" "org-current|/v1/organizations/current|1" "clusters|/v1/clusters|1")

for tool in wrk curl python3 pgrep; do
    command -v "$tool" >/dev/null || { echo "benchmark: '$tool' is required (wrk: apt-get install -y wrk; pgrep: procps)" >&2; exit 1; }
done
IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
for engine in "${ENGINE_LIST[@]}"; do
    [[ "$engine" == sqlite || "$engine" == postgresql ]] || { echo "unknown engine '$engine'" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstacks-bench.XXXXXX")
RESULTS=$WORK/results.tsv
FAILED=1
cleanup() {
    local status=$?
    gs_server_stop
    pg_throwaway_stop
    if [[ $FAILED -eq 0 ]]; then
        rm -rf "$WORK"
    else
        echo "benchmark: FAILED (exit $status); logs and wrk output kept in $WORK" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[benchmark] %s\n' "$*" >&2; }

if [[ $BUILD -eq 1 ]]; then
    log "building: swift build -c release --product gstacks --scratch-path .build-release"
    swift build -c release --product gstacks --scratch-path "$ROOT/.build-release" >&2
fi
[[ -x "$BIN" ]] || { echo "benchmark: $BIN is missing; run without --skip-build" >&2; exit 1; }
bench_describe_binary "$BIN"

# CPU time (user + system, in clock ticks) one process has used so far; with "children", also that of its
# children it has reaped (cutime + cstime). Fields after "(comm) ": state is index 0, utime (field 14) index 11.
cpu_ticks() {
    local pid=$1 with_children=${2:-} fields
    [[ -r /proc/$pid/stat ]] || { echo "benchmark: cannot read /proc/$pid/stat" >&2; return 1; }
    read -r -a fields <<<"$(sed 's/^.*) //' "/proc/$pid/stat")"
    local ticks=$((${fields[11]:-0} + ${fields[12]:-0}))
    [[ $with_children == children ]] && ticks=$((ticks + ${fields[13]:-0} + ${fields[14]:-0}))
    echo "$ticks"
}

# CPU time of PostgreSQL (0 on SQLite): the postmaster with the backends it has reaped, plus the live
# backends, listed afresh at each reading so a backend that starts or ends during a run is counted.
postgres_cpu_ticks() {
    [[ -n "${PG_THROWAWAY_DIR:-}" && -r "$PG_THROWAWAY_DIR/data/postmaster.pid" ]] || { echo 0; return; }
    local postmaster child total
    postmaster=$(head -n 1 "$PG_THROWAWAY_DIR/data/postmaster.pid")
    total=$(cpu_ticks "$postmaster" children) || return 1
    for child in $(pgrep -P "$postmaster"); do
        total=$((total + $(cpu_ticks "$child" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# One wrk run. Appends "engine endpoint run rps p50_us p99_us server_cpu_us pg_cpu_us" (CPU per request)
# to RESULTS unless run is "warmup".
run_wrk() {
    local engine=$1 name=$2 path=$3 authenticated=$4 run=$5 duration=$6
    local out=$WORK/wrk-$engine-$name-$run.txt
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$ROOT/scripts/lib/wrk-report.lua")
    [[ $authenticated -eq 1 ]] && args+=(-H "Cookie: $GS_COOKIE")
    local server_before pg_before server_after pg_after
    server_before=$(cpu_ticks "$GS_PID") && pg_before=$(postgres_cpu_ticks) || return 1
    wrk "${args[@]}" "$GS_BASE_URL$path" >"$out" 2>&1 || { cat "$out" >&2; echo "wrk failed on $path" >&2; return 1; }
    server_after=$(cpu_ticks "$GS_PID") && pg_after=$(postgres_cpu_ticks) || return 1
    local server_ticks=$((server_after - server_before)) pg_ticks=$((pg_after - pg_before))
    local line
    line=$(grep '^GSBENCH ' "$out") || { cat "$out" >&2; echo "wrk printed no report line" >&2; return 1; }
    field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $line"; }
    local requests duration_us p50_us p99_us status_errors connect_errors read_errors write_errors timeouts
    requests=$(field requests) duration_us=$(field duration_us) p50_us=$(field p50_us) p99_us=$(field p99_us)
    status_errors=$(field status_errors) connect_errors=$(field connect_errors) read_errors=$(field read_errors)
    write_errors=$(field write_errors) timeouts=$(field timeouts)
    if ((status_errors + connect_errors + read_errors + write_errors + timeouts > 0)); then
        echo "benchmark: $engine GET $path ($run): $status_errors non-2xx responses, errors connect=$connect_errors read=$read_errors write=$write_errors timeout=$timeouts" >&2
        cat "$out" >&2
        return 1
    fi
    ((requests > 0)) || { echo "benchmark: no requests completed on $path" >&2; return 1; }
    local rps server_cpu_us pg_cpu_us ticks_per_second
    ticks_per_second=$(getconf CLK_TCK)
    rps=$(python3 -c "print(f'{$requests / ($duration_us / 1e6):.1f}')")
    server_cpu_us=$(python3 -c "print(round($server_ticks / $ticks_per_second * 1e6 / $requests))")
    pg_cpu_us=$(python3 -c "print(round($pg_ticks / $ticks_per_second * 1e6 / $requests))")
    log "$engine $(printf '%-12s' "$name") run $run: $rps req/s, p50 ${p50_us} us, p99 ${p99_us} us, CPU per request: server ${server_cpu_us} us, PostgreSQL ${pg_cpu_us} us"
    [[ "$run" == warmup ]] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$name" "$run" "$rps" "$p50_us" "$p99_us" "$server_cpu_us" "$pg_cpu_us" >>"$RESULTS"
}

bench_engine() {
    local engine=$1
    local data=$WORK/$engine-data
    mkdir -p "$data"
    local flags=(--data-dir "$data" --bcrypt-cost "$BCRYPT_COST" --log-level "$LOG_LEVEL")
    if [[ $engine == postgresql ]]; then
        pg_throwaway_start
        flags+=(--database-url "$PG_URL")
    fi
    log "$engine: starting gstacks server"
    gs_server_start "$BIN" "$WORK/server-$engine.log" "${flags[@]}"
    GS_COOKIE=""
    gs_sign_in
    gs_create_active_tenant "Benchmark" "benchmark" >/dev/null
    gs_api POST /v1/clusters 201 '{"name":"bench-cluster","ownership":"byo"}' >/dev/null

    # Each endpoint must answer exactly 200 (wrk's error count only covers >= 400) with a non-empty list.
    local entry name path authenticated body
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path authenticated <<<"$entry"
        body=$(gs_api GET "$path" 200)
        if [[ $name == clusters ]]; then
            python3 -c 'import json, sys; assert json.load(sys.stdin)["items"], "cluster list is empty"' <<<"$body"
        fi
    done

    local run
    for entry in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path authenticated <<<"$entry"
        run_wrk "$engine" "$name" "$path" "$authenticated" warmup "$WARMUP"
    done
    for run in $(seq 1 "$RUNS"); do
        for entry in "${ENDPOINTS[@]}"; do
            IFS='|' read -r name path authenticated <<<"$entry"
            run_wrk "$engine" "$name" "$path" "$authenticated" "$run" "$DURATION"
        done
    done

    # The session must still be valid at the end (a 401 would already have failed a run).
    gs_api GET /v1/auth/session 200 >/dev/null
    gs_server_stop
    if [[ $engine == postgresql ]]; then
        pg_throwaway_stop
    fi
}

: >"$RESULTS"
for engine in "${ENGINE_LIST[@]}"; do
    bench_engine "$engine"
done

# --- report ---------------------------------------------------------------------------------
COMMAND="scripts/benchmark.sh${ORIGINAL_ARGS[*]:+ ${ORIGINAL_ARGS[*]}}"
for var in BENCH_THREADS BENCH_CONNECTIONS BENCH_DURATION BENCH_RUNS BENCH_WARMUP BENCH_BCRYPT_COST BENCH_LOG_LEVEL FSYNC; do
    [[ -n "${!var:-}" ]] && COMMAND="$var=${!var} $COMMAND"
done
PG_VERSION=""
if [[ ",$ENGINES," == *,postgresql,* ]]; then
    PG_VERSION=$("$(_pg_throwaway_bin)/postgres" --version | awk '{print $3}')
fi
export BENCH_COMMAND=$COMMAND BENCH_RESULTS=$RESULTS BENCH_RECORD=$RECORD BENCH_DOC=$ROOT/docs/benchmarks.md
BENCH_MACHINE_NPROC=$(nproc)
BENCH_MACHINE_CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1 || true)
BENCH_MACHINE_MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
BENCH_MACHINE_KERNEL=$(uname -sr)
BENCH_SWIFT=$(swift --version 2>&1 | grep -m1 -i 'swift version' || true)
BENCH_WRK=$(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}' || true)  # wrk --version exits 1
BENCH_PG_VERSION=${PG_VERSION:-n/a}
BENCH_FSYNC=${FSYNC:-on}
export BENCH_MACHINE_NPROC BENCH_MACHINE_CPU BENCH_MACHINE_MEM BENCH_MACHINE_KERNEL BENCH_SWIFT BENCH_WRK \
    BENCH_PG_VERSION BENCH_FSYNC
export BENCH_SETTINGS="wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS interleaved runs per endpoint after a $WARMUP warm-up; server: $BIN_DESCRIPTION, --bcrypt-cost $BCRYPT_COST, --log-level $LOG_LEVEL, wrk and server on the same machine over 127.0.0.1"
python3 "$ROOT/scripts/lib/benchmark_report.py"
FAILED=0
