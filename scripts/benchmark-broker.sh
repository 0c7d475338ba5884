#!/usr/bin/env bash
# The broker: invoke round trip of a trivial extension operation, warm (artifact cached) and cold (a digest the agent
# has not seen), beside running the same entrypoint with the same request through exec in a running sandbox on the
# same agent; on SQLite by default.
#
#   scripts/benchmark-broker.sh            # build, measure, print a markdown table
#   scripts/benchmark-broker.sh --record   # ... and replace the "Broker" section of docs/benchmarks.md
#
# Per engine: builds the release binary (swift build -c release --product gstacks --scratch-path .build-release),
# starts `gstacks server` on a free loopback port with a fresh database, signs in, creates and activates a tenant,
# then runs scripts/lib/broker_benchmark.py, which documents each phase and its reference.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default here: sqlite)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_INVOKES [200]  BENCH_COLD [7]  BENCH_LOG_LEVEL [warning]  GSTACKS_BIN
# Needs: swift, curl, python3, openssl, bubblewrap, root (the egress proxy); the agent runs as this user.
set -Eeuo pipefail
trap 'echo "benchmark-broker: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
bench_run_engines benchmark-broker scripts/lib/broker_benchmark.py
