#!/usr/bin/env bash
# CLI start-up: `gstacks whoami` (process start to the answer of its one request) beside `curl` of the same
# endpoint with the same session, on SQLite.
#
#   scripts/benchmark-cli.sh            # build, measure, print a markdown table
#   scripts/benchmark-cli.sh --record   # ... and replace the "CLI start-up" section of docs/benchmarks.md
#
# Per engine: builds the release binary (swift build -c release --product gstacks --scratch-path .build-release),
# starts `gstacks server` on a free loopback port with a fresh database, signs in, creates and activates a tenant,
# then runs scripts/lib/cli_benchmark.py, which documents what is timed and the reference.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default here: sqlite)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_CLI_RUNS [30]  BENCH_CLI_ROUNDS [5]  BENCH_LOG_LEVEL [warning]  GSTACKS_BIN
# Needs: swift, curl, python3.
set -Eeuo pipefail
trap 'echo "benchmark-cli: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
bench_run_engines benchmark-cli scripts/lib/cli_benchmark.py
