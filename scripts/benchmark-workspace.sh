#!/usr/bin/env bash
# The workspace: exec of /bin/true through the API (p50/p99, beside entering the sandbox directly and the noop
# driver), streaming exec stdout throughput, upload and download of a 64 MiB file (beside `cp`), and the
# server's and agent's peak resident memory during a 1 GiB download; on SQLite by default.
#
#   scripts/benchmark-workspace.sh            # build, measure, print a markdown table
#   scripts/benchmark-workspace.sh --record   # ... and replace the "Workspace" section of docs/benchmarks.md
#
# Per engine: builds the release binary (swift build -c release --product gstacks --scratch-path
# .build-release), starts `gstacks server` on a free loopback port with a fresh database, signs in, creates and
# activates a tenant, then runs scripts/lib/workspace_benchmark.py, which documents each phase and its
# reference. An unexpected API answer, a wrong exit code or a download that differs fails the run.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default here: sqlite)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_EXECS [300]  BENCH_RUNS [5]  BENCH_STREAM_MIB [512]  BENCH_LOG_LEVEL [warning]  FSYNC [on]  GSTACKS_BIN
# Needs: swift, curl, python3 (websockets goes into .venv-bench), bubblewrap, util-linux's nsenter.
set -Eeuo pipefail
trap 'echo "benchmark-workspace: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
bench_run_engines benchmark-workspace scripts/lib/workspace_benchmark.py
