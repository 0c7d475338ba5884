#!/usr/bin/env bash
# Operation runs: accepted starts/s and executed runs/s of `gstacks server` on SQLite and on
# PostgreSQL, beside pgbench running the same SQL on the same PostgreSQL as the ceiling.
#
#   scripts/benchmark-operations.sh            # build, measure, print markdown tables
#   scripts/benchmark-operations.sh --record   # ... and replace the "Operation runs" section of docs/benchmarks.md
#
# What it does, per engine (sqlite, then postgresql on a throwaway server with fsync=on):
#   1. builds the release binary: swift build -c release --product gstacks --scratch-path .build-release;
#   2. starts `gstacks server --enable-test-operations --operation-workers 2` on a free 127.0.0.1 port
#      with a fresh database and a site admin, signs in, creates and activates a tenant; test.noop
#      runs need no provider connection, hold no protected scope and get a new run per start;
#   3. starts: `wrk -t2 -c64 -d10s --latency` POSTs {} to /v1/operations/test.noop/start with the
#      session cookie, so every request queues one no-op run (a warm-up, then BENCH_RUNS runs);
#   4. executions: after each wrk run it polls /metrics until
#      gstacks_operation_runs_finished_total{type="test.noop"} catches up with
#      gstacks_operation_starts_total{type="test.noop",status="accepted"}, i.e. the workers have
#      executed every queued run. Executed runs/s "start to drain" = runs finished from wrk's start
#      until the queue is empty / that time; "drain only" = runs finished after wrk stopped / the
#      time after it stopped (the workers alone, no more starts competing);
#   5. postgresql only, with the server stopped, on the same PostgreSQL: pgbench on a scratch copy
#      of the server's migrated database (CREATE DATABASE ... TEMPLATE, operation_runs emptied):
#      scripts/lib/pgbench-operation-start.sql (the admission transaction) with -c64 -j2, and
#      scripts/lib/pgbench-operation-execute.sql (claim, start, finish: one executed run) with -c64
#      -j2 and with as many clients as the server has workers, each after topping the queue up to
#      BENCH_PGBENCH_BACKLOG runs (scripts/lib/pgbench-operation-backlog.sql); same duration, -M
#      extended (unnamed statements with parameters, like PostgresNIO), BENCH_RUNS runs;
#   6. reports the medians over the runs and the ratios gstacks/pgbench for starts and executions.
# Any non-2xx response or socket error, a start that is not "accepted", a run that does not succeed,
# a queue that does not drain in BENCH_DRAIN_TIMEOUT or a pgbench error fails the script.
# Everything it starts (servers, PostgreSQL) is stopped on exit; logs are kept on failure.
#
# Options:
#   --record          write the results into docs/benchmarks.md (replaces the "Operation runs" section)
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default: both)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_THREADS [2]  BENCH_CONNECTIONS [64]  BENCH_DURATION [10s]  BENCH_RUNS [3]
#   BENCH_WARMUP [3s]  (one unrecorded wrk run, drained, before measuring)
#   BENCH_WORKERS [2]  (--operation-workers)  BENCH_DRAIN_TIMEOUT [600]  (seconds per drain)
#   BENCH_PGBENCH_BACKLOG [100000]  (queued runs before each pgbench execute run)
#   BENCH_IDLE_BUSY [25]  BENCH_IDLE_WAIT [300]  (before each measured run, wait up to BENCH_IDLE_WAIT s
#                     for a second with the machine below BENCH_IDLE_BUSY % busy; the record gives the figures)
#   BENCH_BCRYPT_COST [10]  BENCH_LOG_LEVEL [warning]  (at info every request and run is logged)
#   GSTACKS_ADMIN_EMAIL [bench-admin@example.com]  GSTACKS_ADMIN_PASSWORD [random]
#   FSYNC [on]  PG_BIN  (see scripts/postgres-throwaway.sh)
#   GSTACKS_BIN  binary to measure with --skip-build (e.g. to try a debug build; never record those)
# Needs: swift, wrk, curl, python3, and the PostgreSQL server binaries and pgbench for the postgresql engine.
set -Eeuo pipefail
# Say which command failed: set -e alone would exit silently.
trap 'echo "benchmark-operations: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

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
WORKERS=${BENCH_WORKERS:-2}
DRAIN_TIMEOUT=${BENCH_DRAIN_TIMEOUT:-600}
BACKLOG=${BENCH_PGBENCH_BACKLOG:-100000}
IDLE_WAIT=${BENCH_IDLE_WAIT:-300}
IDLE_BUSY=${BENCH_IDLE_BUSY:-25}
BCRYPT_COST=${BENCH_BCRYPT_COST:-10}
LOG_LEVEL=${BENCH_LOG_LEVEL:-warning}
export GSTACKS_ADMIN_EMAIL=${GSTACKS_ADMIN_EMAIL:-bench-admin@example.com}
GSTACKS_ADMIN_PASSWORD=${GSTACKS_ADMIN_PASSWORD:-$(gs_random_secret)}
export GSTACKS_ADMIN_PASSWORD
BIN=${GSTACKS_BIN:-$ROOT/.build-release/release/gstacks}
START_PATH=/v1/operations/test.noop/start
SCRATCH_DB=gstacks_pgbench

# wrk durations ("10s", "1m", "30") in whole seconds, for pgbench -T.
duration_seconds() {
    local value=$1
    case "$value" in
        *ms) echo "benchmark-operations: durations below a second are not supported ($value)" >&2; return 1 ;;
        *s) value=${value%s}; echo "$value" ;;
        *m) value=${value%m}; echo $((value * 60)) ;;
        *h) value=${value%h}; echo $((value * 3600)) ;;
        *) echo "$value" ;;
    esac
}
PGBENCH_SECONDS=$(duration_seconds "$DURATION")
[[ "$PGBENCH_SECONDS" =~ ^[1-9][0-9]*$ ]] || { echo "benchmark-operations: BENCH_DURATION must be whole seconds or minutes (got '$DURATION')" >&2; exit 2; }
for value in "$THREADS" "$CONNECTIONS" "$RUNS" "$WORKERS" "$DRAIN_TIMEOUT" "$BACKLOG" "$IDLE_BUSY"; do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "benchmark-operations: '$value' is not a positive whole number (see --help)" >&2; exit 2; }
done
[[ "$IDLE_WAIT" =~ ^[0-9]+$ ]] || { echo "benchmark-operations: BENCH_IDLE_WAIT must be whole seconds (got '$IDLE_WAIT')" >&2; exit 2; }

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "benchmark-operations: '$tool' is required (wrk: apt-get install -y wrk)" >&2; exit 1; }
done
IFS=, read -r -a ENGINE_LIST <<<"$ENGINES"
for engine in "${ENGINE_LIST[@]}"; do
    [[ "$engine" == sqlite || "$engine" == postgresql ]] || { echo "unknown engine '$engine'" >&2; exit 2; }
done
if [[ ",$ENGINES," == *,postgresql,* ]]; then
    PG_BIN_DIR=$(_pg_throwaway_bin)
    for tool in pgbench psql; do
        [[ -x "$PG_BIN_DIR/$tool" ]] || { echo "benchmark-operations: $PG_BIN_DIR/$tool is missing (apt-get install -y postgresql)" >&2; exit 1; }
    done
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstacks-opbench.XXXXXX")
RESULTS=$WORK/results.tsv
FAILED=1
cleanup() {
    local status=$?
    gs_server_stop
    pg_throwaway_stop
    if [[ $FAILED -eq 0 ]]; then
        rm -rf "$WORK"
    else
        echo "benchmark-operations: FAILED (exit $status); server logs, wrk and pgbench output kept in $WORK" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[benchmark-operations] %s\n' "$*" >&2; }

# --- helpers ----------------------------------------------------------------------------------

# The test.noop counters on /metrics. `metrics.py snapshot URL` prints
# "time_ns accepted other_starts succeeded other_outcomes"; `metrics.py drain URL TIMEOUT` polls every
# 50 ms until every accepted run has finished (on two polls in a row, so that a start still in flight
# when wrk stopped is waited for too) and prints the snapshot of the first of those two polls.
cat >"$WORK/metrics.py" <<'PY'
import re, sys, time, urllib.request

LINE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)')
LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')

def snapshot(url):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    now = time.time_ns()
    accepted = other_starts = succeeded = other_outcomes = 0
    for line in text.splitlines():
        match = LINE.match(line)
        if not match or match.group(1) not in ("gstacks_operation_starts_total", "gstacks_operation_runs_finished_total"):
            continue
        labels = dict(LABEL.findall(match.group(2) or ""))
        if labels.get("type") != "test.noop":
            continue
        value = int(float(match.group(3)))
        if match.group(1) == "gstacks_operation_starts_total":
            if labels.get("status") == "accepted":
                accepted += value
            else:
                other_starts += value
        elif labels.get("outcome") == "succeeded":
            succeeded += value
        else:
            other_outcomes += value
    return now, accepted, other_starts, succeeded, other_outcomes

def show(snap):
    print(" ".join(str(v) for v in snap))

mode, url = sys.argv[1], sys.argv[2]
if mode == "snapshot":
    show(snapshot(url))
elif mode == "drain":
    deadline = time.monotonic() + float(sys.argv[3])
    first = None
    while True:
        snap = snapshot(url)
        if snap[3] + snap[4] >= snap[1]:
            if first is not None:
                show(first)
                break
            first = snap
        else:
            first = None
            if time.monotonic() > deadline:
                print(f"the queue did not drain in {sys.argv[3]} s: accepted {snap[1]}, finished {snap[3] + snap[4]}", file=sys.stderr)
                sys.exit(1)
        time.sleep(0.05)
else:
    sys.exit(f"unknown mode {mode}")
PY

snapshot() { python3 "$WORK/metrics.py" snapshot "$GS_BASE_URL"; }
drain() { python3 "$WORK/metrics.py" drain "$GS_BASE_URL" "$DRAIN_TIMEOUT"; }
now_ns() { date +%s%N; }

# Share of CPU time the machine spent busy over one second, in whole percent.
cpu_busy() {
    python3 - <<'PY'
import time
def sample():
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]
total0, idle0 = sample(); time.sleep(1); total1, idle1 = sample()
print(f"{100 * (1 - (idle1 - idle0) / max(1, total1 - total0)):.0f}")
PY
}

# wait_idle WHAT: waits up to BENCH_IDLE_WAIT seconds for a second in which the machine is less than
# BENCH_IDLE_BUSY % busy (another build or test, or PostgreSQL still flushing the backlog just loaded),
# then prints the last figure. Measures anyway, with a warning, when the machine stays busy.
wait_idle() {
    local what=$1 busy deadline=$((SECONDS + IDLE_WAIT))
    while true; do
        busy=$(cpu_busy)
        ((busy < IDLE_BUSY)) && break
        if ((SECONDS >= deadline)); then
            log "WARNING: the machine is still ${busy}% busy; measuring $what anyway (its figures will be low)"
            break
        fi
        log "the machine is ${busy}% busy; waiting before $what"
        sleep 4
    done
    printf '%s\n' "$busy"
}

# The wrk script: POST {} as JSON, and wrk-report.lua's done() for the machine-readable report line.
# Setting wrk.method/body/headers (rather than a request() callback) keeps wrk's pre-built request.
{
    printf 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n'
    cat "$ROOT/scripts/lib/wrk-report.lua"
} >"$WORK/wrk-start.lua"

if [[ $BUILD -eq 1 ]]; then
    log "building: swift build -c release --product gstacks --scratch-path .build-release"
    swift build -c release --product gstacks --scratch-path "$ROOT/.build-release" >&2
fi
[[ -x "$BIN" ]] || { echo "benchmark-operations: $BIN is missing; run without --skip-build" >&2; exit 1; }
# The code measured: the tree as the build saw it (others may commit or edit while the benchmark runs).
bench_describe_binary "$BIN"

# One wrk run of starts, then the drain. Appends to RESULTS (unless run is "warmup"):
# gstacks engine run starts_rps p50_us p99_us accepted finished_total executed_rps finished_after drain_rps during_rps backlog drain_s
run_starts() {
    local engine=$1 run=$2 duration=$3
    local out=$WORK/wrk-$engine-$run.txt
    local before t0 t1 at_end after busy
    # The server is idle now (the queue is drained): anything busy is another process, which skews this run.
    busy=$(wait_idle "$engine run $run")
    [[ "$run" == warmup ]] || printf 'cpubusy\t%s\t%s\n' "$engine" "$busy" >>"$RESULTS"
    before=$(snapshot)
    local _t accepted0 other0 succeeded0 failed0
    read -r _t accepted0 other0 succeeded0 failed0 <<<"$before"
    if ((succeeded0 + failed0 != accepted0)); then
        echo "benchmark-operations: $engine: the queue is not empty before run $run (accepted $accepted0, finished $((succeeded0 + failed0)))" >&2
        return 1
    fi
    t0=$(now_ns)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$WORK/wrk-start.lua" -H "Cookie: $GS_COOKIE" \
        "$GS_BASE_URL$START_PATH" >"$out" 2>&1 || { cat "$out" >&2; echo "wrk failed" >&2; return 1; }
    t1=$(now_ns)
    at_end=$(snapshot)
    after=$(drain) || { echo "benchmark-operations: $engine run $run: drain failed; server log: $WORK/server-$engine.log" >&2; tail -n 20 "$WORK/server-$engine.log" >&2; return 1; }

    local line
    line=$(grep '^GSBENCH ' "$out") || { cat "$out" >&2; echo "wrk printed no report line" >&2; return 1; }
    field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $line"; }
    local requests duration_us p50_us p99_us status_errors connect_errors read_errors write_errors timeouts
    requests=$(field requests) duration_us=$(field duration_us) p50_us=$(field p50_us) p99_us=$(field p99_us)
    status_errors=$(field status_errors) connect_errors=$(field connect_errors) read_errors=$(field read_errors)
    write_errors=$(field write_errors) timeouts=$(field timeouts)
    if ((status_errors + connect_errors + read_errors + write_errors + timeouts > 0)); then
        echo "benchmark-operations: $engine POST $START_PATH ($run): $status_errors non-2xx responses, errors connect=$connect_errors read=$read_errors write=$write_errors timeout=$timeouts" >&2
        cat "$out" >&2
        return 1
    fi
    ((requests > 0)) || { echo "benchmark-operations: no requests completed" >&2; return 1; }

    local t_end accepted_end succeeded_end t2 accepted2 other2 succeeded2 failed2
    read -r t_end accepted_end _ succeeded_end _ <<<"$at_end"
    read -r t2 accepted2 other2 succeeded2 failed2 <<<"$after"
    local accepted=$((accepted2 - accepted0))
    # wrk counts the responses it read; requests in flight when it stopped may still be accepted.
    if ((accepted < requests || accepted > requests + CONNECTIONS)); then
        echo "benchmark-operations: $engine run $run: wrk completed $requests starts but the server accepted $accepted" >&2
        return 1
    fi
    if ((other2 != other0)); then
        echo "benchmark-operations: $engine run $run: $((other2 - other0)) starts were not accepted (deduped, scope_busy or blocked)" >&2
        return 1
    fi
    if ((failed2 != failed0)); then
        echo "benchmark-operations: $engine run $run: $((failed2 - failed0)) runs finished without succeeding; server log: $WORK/server-$engine.log" >&2
        return 1
    fi
    local row
    row=$(python3 - "$requests" "$duration_us" "$accepted" "$t0" "$t1" "$t_end" "$t2" \
        "$succeeded0" "$succeeded_end" "$succeeded2" "$accepted_end" <<'PY'
import sys
requests, duration_us, accepted, t0, t1, t_end, t2, s0, s_end, s2, accepted_end = map(int, sys.argv[1:])
starts = requests / (duration_us / 1e6)
executed = s2 - s0
executed_rps = executed / ((t2 - t0) / 1e9)
after = s2 - s_end
drain_s = max(0.0, (t2 - t_end) / 1e9)
drain_rps = after / drain_s if drain_s > 0 and after > 0 else 0.0
during_rps = (s_end - s0) / ((t_end - t0) / 1e9)
backlog = accepted_end - s_end
print(f"{starts:.1f}\t{accepted}\t{executed}\t{executed_rps:.1f}\t{after}\t{drain_rps:.1f}\t{during_rps:.1f}\t{backlog}\t{drain_s:.2f}")
PY
)
    local starts_rps executed executed_rps finished_after drain_rps during_rps backlog drain_s
    IFS=$'\t' read -r starts_rps accepted executed executed_rps finished_after drain_rps during_rps backlog drain_s <<<"$row"
    log "$engine run $run: $starts_rps starts/s (p50 ${p50_us} us, p99 ${p99_us} us, $accepted accepted);" \
        "executed $executed_rps runs/s start to drain ($during_rps/s during wrk, $backlog queued at its end, drained in ${drain_s} s: $drain_rps/s)"
    [[ "$run" == warmup ]] || printf 'gstacks\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$run" "$starts_rps" \
        "$p50_us" "$p99_us" "$accepted" "$executed" "$executed_rps" "$finished_after" "$drain_rps" "$during_rps" "$backlog" "$drain_s" >>"$RESULTS"
}

# psql on the throwaway server: scratch_psql DB [psql args...]
scratch_psql() {
    local db=$1
    shift
    "$PG_BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_THROWAWAY_PORT" -U gstacks -d "$db" "$@"
}

# One pgbench run. Appends "pgbench script clients run tps latency_ms" to RESULTS.
run_pgbench() {
    local script=$1 clients=$2 run=$3
    local jobs=$((clients < THREADS ? clients : THREADS))
    local out=$WORK/pgbench-$script-c$clients-$run.txt
    local busy
    busy=$(wait_idle "pgbench $script -c $clients run $run")
    printf 'cpubusy\tpgbench\t%s\n' "$busy" >>"$RESULTS"
    if ! "$PG_BIN_DIR/pgbench" -n -M extended -c "$clients" -j "$jobs" -T "$PGBENCH_SECONDS" \
        -f "$ROOT/scripts/lib/pgbench-operation-$script.sql" \
        -D org="$PGB_ORG" -D tenant="$PGB_TENANT" -D user="$PGB_USER" -D target_context="$PGB_TARGET_CONTEXT" \
        -D legitimacy="$PGB_LEGITIMACY" \
        -h 127.0.0.1 -p "$PG_THROWAWAY_PORT" -U gstacks "$SCRATCH_DB" >"$out" 2>&1; then
        cat "$out" >&2
        echo "benchmark-operations: pgbench $script -c $clients failed (output above)" >&2
        return 1
    fi
    local tps latency failed
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | tail -n 1)
    latency=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    [[ -n "$tps" && -n "$latency" ]] || { cat "$out" >&2; echo "benchmark-operations: could not read pgbench's tps" >&2; return 1; }
    [[ "${failed:-0}" == 0 ]] || { cat "$out" >&2; echo "benchmark-operations: pgbench reported failed transactions" >&2; return 1; }
    log "pgbench $(printf '%-8s' "$script") -c $(printf '%-2s' "$clients") run $run: $tps tps, latency avg $latency ms"
    printf 'pgbench\t%s\t%s\t%s\t%s\t%s\n' "$script" "$clients" "$run" "$tps" "$latency" >>"$RESULTS"
}

fill_backlog() {
    scratch_psql "$SCRATCH_DB" -v backlog="$BACKLOG" -v org="$PGB_ORG" -v tenant="$PGB_TENANT" -v user="$PGB_USER" \
        -v target_context="$PGB_TARGET_CONTEXT" -f "$ROOT/scripts/lib/pgbench-operation-backlog.sql" >/dev/null
}

queued_runs() { scratch_psql "$SCRATCH_DB" -Atc "SELECT count(*) FROM operation_runs WHERE execution_status = 'queued'"; }

# The pgbench scripts copy the store's INSERT: a NOT NULL column the server's schema has and they do not set
# (the store changed since) fails the benchmark here, right after the server migrated, not after the measurements.
check_pgbench_columns() {
    local required listed missing script
    required=$(scratch_psql gstacks -Atc "SELECT column_name FROM information_schema.columns WHERE table_name = 'operation_runs'
        AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' ORDER BY 1")
    for script in start backlog; do
        listed=$(tr '\n' ' ' <"$ROOT/scripts/lib/pgbench-operation-$script.sql" | sed -n 's/.*INSERT INTO operation_runs (\([^)]*\)).*/\1/p' | tr -d ' ' | tr ',' '\n')
        missing=$(comm -23 <(sort <<<"$required") <(sort <<<"$listed") | tr '\n' ' ')
        if [[ -n "${missing// /}" ]]; then
            echo "benchmark-operations: operation_runs has NOT NULL columns that scripts/lib/pgbench-operation-$script.sql does not set: $missing" >&2
            echo "  update the pgbench scripts to the store's SQL (Sources/GlobalStacksStore/SQL/SQLStore+OperationRuns.swift)" >&2
            return 1
        fi
    done
}

# pgbench on a copy of the database the server just used (same schema, same organization, tenant and user).
bench_pgbench() {
    # The organization, tenant, initiator and stored JSON of the last run the server executed.
    sample() {
        scratch_psql gstacks -Atc "SELECT $1 FROM operation_runs WHERE operation_type = 'test.noop' AND outcome = 'succeeded' ORDER BY id DESC LIMIT 1"
    }
    PGB_ORG=$(sample organization_id)
    PGB_TENANT=$(sample tenant_id)
    PGB_USER=$(sample initiator_user_id)
    PGB_TARGET_CONTEXT=$(sample target_context)
    PGB_LEGITIMACY=$(sample legitimacy)
    [[ -n "$PGB_ORG" && -n "$PGB_TENANT" && -n "$PGB_USER" && -n "$PGB_LEGITIMACY" ]] || {
        echo "benchmark-operations: found no succeeded test.noop run to copy for pgbench" >&2
        return 1
    }
    # The template must have no other sessions; the server's pool may take a moment to close them.
    local attempt
    for attempt in $(seq 1 50); do
        scratch_psql postgres -c "CREATE DATABASE $SCRATCH_DB TEMPLATE gstacks" 2>"$WORK/createdb.err" && break
        ((attempt < 50)) || { cat "$WORK/createdb.err" >&2; return 1; }
        sleep 0.2
    done
    scratch_psql "$SCRATCH_DB" -c "TRUNCATE operation_runs RESTART IDENTITY" -c "VACUUM ANALYZE operation_runs"
    log "postgresql: pgbench on database $SCRATCH_DB (a copy of the server's), backlog $BACKLOG runs for execute"
    local run clients queued
    for run in $(seq 1 "$RUNS"); do
        run_pgbench start "$CONNECTIONS" "$run"
        for clients in "$CONNECTIONS" "$WORKERS"; do
            fill_backlog
            run_pgbench execute "$clients" "$run"
            queued=$(queued_runs)
            ((queued > 0)) || { echo "benchmark-operations: pgbench execute emptied the queue; raise BENCH_PGBENCH_BACKLOG" >&2; return 1; }
        done
    done
    scratch_psql "$SCRATCH_DB" -Atc "SELECT execution_status || ' ' || coalesce(outcome, '-') || ' ' || count(*) FROM operation_runs GROUP BY 1 ORDER BY 1" \
        >"$WORK/pgbench-final-state.txt" 2>&1 || true
}

# Warnings and errors the server logged (at --log-level warning nothing else is logged).
server_log_summary() {
    local engine=$1
    local file=$WORK/server-$engine.log
    local warnings errors
    warnings=$(grep -c -E '^[^ ]+ warning ' "$file" || true)
    errors=$(grep -c -E '^[^ ]+ (error|critical) ' "$file" || true)
    printf 'serverlog\t%s\t%s\t%s\n' "$engine" "$warnings" "$errors" >>"$RESULTS"
    if ((warnings + errors > 0)); then
        log "$engine: the server logged $warnings warnings and $errors errors; the first ones:"
        grep -E '^[^ ]+ (warning|error|critical) ' "$file" | head -n 5 >&2
    fi
}

bench_engine() {
    local engine=$1
    local data=$WORK/$engine-data
    mkdir -p "$data"
    local flags=(--data-dir "$data" --bcrypt-cost "$BCRYPT_COST" --log-level "$LOG_LEVEL"
        --enable-test-operations --operation-workers "$WORKERS")
    if [[ $engine == postgresql ]]; then
        pg_throwaway_start
        flags+=(--database-url "$PG_URL")
    fi
    log "$engine: starting gstacks server"
    gs_server_start "$BIN" "$WORK/server-$engine.log" "${flags[@]}"
    [[ $engine != postgresql ]] || check_pgbench_columns
    GS_COOKIE=""
    gs_sign_in
    gs_create_active_tenant "Benchmark" "benchmark" >/dev/null

    # One start through the API first: it must answer exactly 200 with status "accepted".
    gs_api POST "$START_PATH" 200 '{}' |
        python3 -c 'import json, sys; body = json.load(sys.stdin); assert body["status"] == "accepted" and body["run"]["id"], body'
    drain >/dev/null

    run_starts "$engine" warmup "$WARMUP"
    local run
    for run in $(seq 1 "$RUNS"); do
        run_starts "$engine" "$run" "$DURATION"
    done

    # The database agrees with the counters: nothing left queued or running.
    local status
    for status in queued running; do
        gs_api GET "/v1/operation-runs?status=$status&limit=1000" 200 |
            python3 -c 'import json, sys; items = json.load(sys.stdin)["items"]; assert not items, f"{len(items)} runs still {sys.argv[1]}"' "$status"
    done
    gs_api GET /v1/auth/session 200 >/dev/null
    gs_server_stop
    server_log_summary "$engine"
    if [[ $engine == postgresql ]]; then
        bench_pgbench
        pg_throwaway_stop
    fi
}

: >"$RESULTS"
for engine in "${ENGINE_LIST[@]}"; do
    bench_engine "$engine"
done

# --- report ---------------------------------------------------------------------------------
COMMAND="scripts/benchmark-operations.sh${ORIGINAL_ARGS[*]:+ ${ORIGINAL_ARGS[*]}}"
for var in BENCH_THREADS BENCH_CONNECTIONS BENCH_DURATION BENCH_RUNS BENCH_WARMUP BENCH_WORKERS BENCH_DRAIN_TIMEOUT \
    BENCH_PGBENCH_BACKLOG BENCH_IDLE_BUSY BENCH_IDLE_WAIT BENCH_BCRYPT_COST BENCH_LOG_LEVEL FSYNC; do
    [[ -n "${!var:-}" ]] && COMMAND="$var=${!var} $COMMAND"
done
PG_VERSION=""
if [[ ",$ENGINES," == *,postgresql,* ]]; then
    PG_VERSION=$("$PG_BIN_DIR/postgres" --version | awk '{print $3}')
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
    BENCH_PG_VERSION BENCH_FSYNC BENCH_GIT
export BENCH_WORKERS_COUNT=$WORKERS BENCH_CONNECTIONS_COUNT=$CONNECTIONS BENCH_DURATION_SECONDS=$PGBENCH_SECONDS
export BENCH_SETTINGS="wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency POST $START_PATH, $RUNS runs after a $WARMUP warm-up, each drained before the next; server: $BIN_DESCRIPTION, --operation-workers $WORKERS, --bcrypt-cost $BCRYPT_COST, --log-level $LOG_LEVEL; pgbench -M extended -T $PGBENCH_SECONDS -j up to $THREADS, $RUNS runs, execute against a backlog topped up to $BACKLOG queued runs; wrk, server, pgbench and PostgreSQL on the same machine over 127.0.0.1"
python3 - <<'PY'
"""Turns the raw results into the "Operation runs" section; with BENCH_RECORD=1 writes it into BENCH_DOC."""
import datetime
import os
import statistics
import sys
from collections import defaultdict

env = os.environ.get
BEGIN = "<!-- Operation runs: written by `scripts/benchmark-operations.sh --record`, which replaces everything down to the end marker. -->"
END = "<!-- End of operation runs. -->"
HTTP_MARKER = "<!-- Results below are written by `scripts/benchmark.sh --record`"

gstacks = defaultdict(list)   # engine -> rows
pgbench = defaultdict(list)   # (script, clients) -> [(tps, latency)]
server_log = {}
cpu_busy = defaultdict(list)  # engine or "pgbench" -> [percent busy before each run]
engines = []
with open(env("BENCH_RESULTS"), encoding="utf-8") as handle:
    for line in handle:
        kind, *fields = line.rstrip("\n").split("\t")
        if kind == "gstacks":
            engine, _run, *values = fields
            starts, p50, p99, accepted, executed, executed_rps, after, drain_rps, during_rps, backlog, drain_s = map(float, values)
            gstacks[engine].append(dict(starts=starts, p50=p50, p99=p99, executed=executed_rps, after=after,
                                        drain=drain_rps, during=during_rps, backlog=backlog, drain_s=drain_s))
            if engine not in engines:
                engines.append(engine)
        elif kind == "pgbench":
            script, clients, _run, tps, latency = fields
            pgbench[(script, int(clients))].append((float(tps), float(latency)))
        elif kind == "serverlog":
            server_log[fields[0]] = (int(fields[1]), int(fields[2]))
        elif kind == "cpubusy":
            cpu_busy[fields[0]].append(int(fields[1]))

def med(rows, key):
    return statistics.median(r[key] for r in rows)

def ms(us):
    return f"{us / 1000:.2f} ms"

def n(value):
    return f"{value:,.0f}"

workers = int(env("BENCH_WORKERS_COUNT", "2"))
connections = int(env("BENCH_CONNECTIONS_COUNT", "64"))
names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

table = [
    "| Engine | Starts/s (median) | Starts/s per run | p50 | p99 | Executed runs/s, start to drain (median) | per run | Executed/s during wrk | Queue at wrk's end | Drain only (runs/s) | Time to drain |",
    "| --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
]
summary = {}
for engine in engines:
    rows = gstacks[engine]
    drained = [r for r in rows if r["after"] >= 100]
    drain = statistics.median(r["drain"] for r in drained) if drained else None
    s = summary[engine] = dict(starts=med(rows, "starts"), p50=med(rows, "p50"), p99=med(rows, "p99"),
                               executed=med(rows, "executed"), during=med(rows, "during"), backlog=med(rows, "backlog"),
                               drain=drain, drain_s=med(rows, "drain_s"))
    table.append(
        f"| {names.get(engine, engine)} | {n(s['starts'])} | {', '.join(n(r['starts']) for r in rows)} | {ms(s['p50'])} | {ms(s['p99'])} "
        f"| {n(s['executed'])} | {', '.join(n(r['executed']) for r in rows)} | {n(s['during'])} | {n(s['backlog'])} "
        f"| {n(drain) if drain is not None else 'n/a (no backlog)'} | {s['drain_s']:.1f} s |")

pg_table, ratios, pg = [], [], {}
if pgbench:
    pg_table = ["| pgbench script | Clients | tps (median) | tps per run | Latency avg (median) |",
                "| --- | ---: | ---: | --- | ---: |"]
    labels = {"start": "`pgbench-operation-start.sql` (1 transaction = 1 accepted start)",
              "execute": "`pgbench-operation-execute.sql` (2 transactions = 1 executed run)"}
    for (script, clients), rows in pgbench.items():
        tps = statistics.median(r[0] for r in rows)
        pg[(script, clients)] = tps
        pg_table.append(f"| {labels.get(script, script)} | {clients} | {n(tps)} | {', '.join(n(r[0]) for r in rows)} "
                        f"| {statistics.median(r[1] for r in rows):.2f} ms |")
    p = summary.get("postgresql")
    if p:
        start_tps = pg.get(("start", connections))
        exec_tps = pg.get(("execute", connections))
        exec_w_tps = pg.get(("execute", workers))
        if start_tps:
            ratios.append(f"- Starts: gstacks {n(p['starts'])}/s ÷ pgbench start {n(start_tps)} tps = **{p['starts'] / start_tps:.0%}**")
        if exec_tps:
            ratios.append(f"- Executions: gstacks {n(p['executed'])} runs/s start to drain ÷ pgbench execute with {connections} clients "
                          f"{n(exec_tps)} runs/s = **{p['executed'] / exec_tps:.0%}**")
        if exec_w_tps and p["drain"]:
            ratios.append(f"- Executions at the workers' concurrency: gstacks drain only {n(p['drain'])} runs/s ÷ pgbench execute "
                          f"with {workers} clients {n(exec_w_tps)} runs/s = **{p['drain'] / exec_w_tps:.0%}**")

notes = []
for engine in engines:
    warnings, errors = server_log.get(engine, (0, 0))
    notes.append(f"{names.get(engine, engine)} server log: {warnings} warnings, {errors} errors")
idle = [max(cpu_busy[key]) for key in cpu_busy if cpu_busy[key]]
if idle:
    notes.append(f"other load: the machine was at most {max(idle)}% busy in the second before each measured run")

# Where the time goes, from this run's figures.
analysis = []
sq, p = summary.get("sqlite"), summary.get("postgresql")
def rate(value):
    return f"{n(value)}/s" if value else "n/a"
analysis.append(
    f"Every executed run costs two write transactions (claim, legitimacy read and start in one; finish) and each of "
    f"the {workers} workers executes one run at a time, so executions are bound by transaction latency, not by the no-op executor.")
during = [f"{rate(s['during'])} on {names.get(e, e)}" for e, s in summary.items()]
starved = all(s["drain"] and s["during"] < 0.5 * s["drain"] for s in summary.values())
queued = all(s["backlog"] > 0.5 * s["starts"] * float(env("BENCH_DURATION_SECONDS", "10")) for s in summary.values())
analysis.append(
    f"While wrk runs, the workers execute {'only ' if starved else ''}{' and '.join(during)}"
    + (f": each of their transactions queues for the same "
       f"{'single SQLite writer turn' if sq else ''}{' and ' if sq and p else ''}{'20-connection PostgreSQL pool' if p else ''} "
       f"as {connections} concurrent starts" if starved else "")
    + (", so most of each burst is still queued when wrk stops and \"drain only\" shows what the workers do alone afterwards."
       if queued else "."))
if sq and p:
    analysis.append(
        f"SQLite serializes every write on one connection, but commits in WAL mode with synchronous=NORMAL (no fsync per commit) "
        f"and without network round trips: it does {n(sq['starts'])} starts/s against {n(p['starts'])} on PostgreSQL with "
        f"fsync=on, and drains {rate(sq['drain'])} against {rate(p['drain'])}.")
if p and pg:
    exec_w_tps = pg.get(("execute", workers))
    start_tps = pg.get(("start", connections))
    exec_tps = pg.get(("execute", connections))
    parts = []
    if start_tps:
        parts.append(f"starts reach {p['starts'] / start_tps:.0%} of pgbench running the admission transaction alone; the gap is "
                     f"the server's per-request work (HTTP, the session lookup, legitimacy, JSON), whose CPU the "
                     f"{env('BENCH_MACHINE_NPROC', '?')} cores share with PostgreSQL and wrk")
    if exec_w_tps and p["drain"]:
        parts.append(f"the drain reaches {p['drain'] / exec_w_tps:.0%} of pgbench's execute script with {workers} clients")
    if exec_w_tps and exec_tps:
        ceiling = (f"pgbench's {n(exec_tps)} runs/s with {connections} clients ({exec_tps / exec_w_tps:.1f}× its rate with "
                   f"{workers}) is the database's ceiling for executions on this machine")
        if p["drain"]:
            ceiling += (f", {exec_tps / p['drain']:.1f}× today's drain: more workers can close part of that gap, "
                        f"fewer transactions per run would raise the ceiling itself")
        parts.append(ceiling)
    if parts:
        analysis.append("On PostgreSQL " + "; ".join(parts) + ".")

today = datetime.date.today().isoformat()
section = "\n".join([
    BEGIN,
    f"## Operation runs ({today})",
    "",
    "How fast the start gate accepts operation runs and the run workers execute them, measured by",
    "`scripts/benchmark-operations.sh` with the no-op operation type `test.noop` (`--enable-test-operations`: no provider",
    "connection, no protected scope, a new run per start), beside pgbench running the same SQL on the same PostgreSQL.",
    "",
    "- **Starts/s**: `wrk` POSTs `{}` to `/v1/operations/test.noop/start` with a session cookie; every 200 is one run",
    "  accepted and queued (the script checks the `gstacks_operation_starts_total` counter: no deduped, scope_busy or blocked).",
    "- **Executed runs/s, start to drain**: after each wrk run the script polls `/metrics` until",
    "  `gstacks_operation_runs_finished_total{outcome=\"succeeded\"}` equals the accepted starts; the runs finished from",
    "  wrk's start until then, divided by that time. **During wrk** counts only what finished while starts were coming in,",
    "  **drain only** only what finished after wrk stopped, over the time after it stopped (the workers alone).",
    "- **pgbench** (PostgreSQL only, server stopped, on a copy of its database): `scripts/lib/pgbench-operation-start.sql` is",
    "  the admission transaction (INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id against the same partial unique",
    "  indexes, pg_notify, read back), `scripts/lib/pgbench-operation-execute.sql` a worker's claim (SELECT … FOR UPDATE",
    "  SKIP LOCKED LIMIT 1, lease UPDATE, joined read), start and finish transactions against a preloaded backlog; its tps",
    "  is the ceiling for the database work alone, without HTTP, sessions, legitimacy or JSON.",
    "",
    f"- Command: `{env('BENCH_COMMAND')}`",
    f"- Code: commit {env('BENCH_GIT', 'unknown')}",
    f"- Machine: {env('BENCH_MACHINE_NPROC', '?')} CPUs ({env('BENCH_MACHINE_CPU') or 'unknown CPU'}), "
    f"{env('BENCH_MACHINE_MEM', '?')} memory, {env('BENCH_MACHINE_KERNEL', '?')}; wrk, server, pgbench and PostgreSQL share it",
    f"- Toolchain: {env('BENCH_SWIFT') or 'swift: unknown'}; {env('BENCH_WRK', 'wrk')}; "
    f"PostgreSQL {env('BENCH_PG_VERSION', 'n/a')} (fsync={env('BENCH_FSYNC', 'on')})",
    f"- Settings: {env('BENCH_SETTINGS', '')}",
    f"- Checks: {'; '.join(notes)}",
    "",
    *table,
    "",
    *([*pg_table, ""] if pg_table else []),
    *(["Ratios gstacks/pgbench (PostgreSQL):", "", *ratios, ""] if ratios else []),
    " ".join(analysis),
    "",
    END,
    "",
])
print(section)

if env("BENCH_RECORD") == "1":
    doc_path = env("BENCH_DOC", "docs/benchmarks.md")
    doc = open(doc_path, encoding="utf-8").read() if os.path.exists(doc_path) else "# Benchmarks\n\n"
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        doc = head + section + "\n" + tail
    elif HTTP_MARKER in doc:
        # Before the HTTP results, which scripts/benchmark.sh rewrites from its marker down.
        head, tail = doc.split(HTTP_MARKER, 1)
        doc = head + section + "\n" + HTTP_MARKER + tail
    else:
        doc = doc.rstrip("\n") + "\n\n" + section
    with open(doc_path, "w", encoding="utf-8") as handle:
        handle.write(doc.rstrip("\n") + "\n")
    print(f"recorded in {doc_path}", file=sys.stderr)
PY
FAILED=0
