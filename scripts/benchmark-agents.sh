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
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

bench_parse_options "$@"
bench_run_engines benchmark-agents scripts/lib/agents_benchmark.py
