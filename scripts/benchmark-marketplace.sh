#!/usr/bin/env bash
# The marketplace catalog: GET /v1/integration-catalog for a tenant with 1,000 public extensions visible (p50/p99,
# target p99 < 20 ms), the catalog search GET /v1/marketplace/catalog?q=…, and beside them in the same run the
# reference GET /v1/auth/session (no database read), on SQLite and on PostgreSQL.
#
#   scripts/benchmark-marketplace.sh            # build, measure, print a markdown table
#   scripts/benchmark-marketplace.sh --record   # ... and replace the "Marketplace catalog" section of docs/benchmarks.md
#
# Per engine (sqlite, then postgresql on a throwaway server with fsync=on): builds the release binary
# (swift build -c release --product gstacks --scratch-path .build-release), starts `gstacks server` on a free
# loopback port with a fresh database, signs in as the site admin, creates and activates a tenant, then runs
# scripts/lib/marketplace_benchmark.py: it publishes BENCH_PACKAGES signed extensions through the API from that
# tenant (the site admin approves and publishes them), switches to a second tenant that installs BENCH_INSTALLS
# of them, and measures the three endpoints over one keep-alive connection. An unexpected API answer, or a catalog
# without every extension in it, fails the run. Everything started is stopped on exit; logs are kept on failure.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default: both)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_PACKAGES [1000]  BENCH_INSTALLS [20]  BENCH_REQUESTS [300]  (per endpoint and run)  BENCH_RUNS [5]
#   BENCH_SEED_CONNECTIONS [4]  BENCH_LOG_LEVEL [warning]  FSYNC [on]  PG_BIN  GSTACKS_BIN
# Needs: swift, curl, python3, openssl (Ed25519 signing), and the PostgreSQL server binaries for the postgresql engine.
set -Eeuo pipefail
trap 'echo "benchmark-marketplace: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

bench_parse_options "$@"
command -v openssl >/dev/null || { echo "benchmark-marketplace: 'openssl' is required (apt-get install -y openssl)" >&2; exit 1; }
bench_run_engines benchmark-marketplace scripts/lib/marketplace_benchmark.py
