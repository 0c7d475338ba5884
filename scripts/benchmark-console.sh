#!/usr/bin/env bash
# The console's page time: every console page's server time (p50/p99, target p99 < 20 ms) with 100 sandboxes in the
# tenant, beside the API listing the same sandboxes (GET /v1/sandboxes) and GET /v1/auth/session in the same run;
# on SQLite by default.
#
#   scripts/benchmark-console.sh            # build, measure, print a markdown table
#   scripts/benchmark-console.sh --record   # ... and replace the "Console pages" section of docs/benchmarks.md
#
# Per engine: builds the release binary (swift build -c release --product gstacks --scratch-path .build-release),
# starts `gstacks server` on a free loopback port with a fresh database, signs in as the site admin, creates and
# activates a tenant, then runs scripts/lib/console_benchmark.py: a real `gstacks agent --driver noop` takes
# BENCH_SANDBOXES sandboxes in that tenant, and each page is requested over one keep-alive connection. A page that
# does not answer 200, or a dashboard without every sandbox, fails the run. Logs are kept on failure.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default here: sqlite)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_SANDBOXES [100]  BENCH_REQUESTS [300]  (per page and run)  BENCH_RUNS [3]  BENCH_LOG_LEVEL [warning]
#   FSYNC [on]  PG_BIN  GSTACKS_BIN
# Needs: swift, curl, python3, and the PostgreSQL server binaries for the postgresql engine.
set -Eeuo pipefail
trap 'echo "benchmark-console: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
bench_run_engines benchmark-console scripts/lib/console_benchmark.py
