#!/usr/bin/env bash
# The Data Plane: PostgreSQL instance create → healthy beside the same initdb + start by hand on the same host, and
# S3 object store create → ready beside the same S3 calls made directly with boto3; on SQLite by default.
#
#   scripts/benchmark-data-plane.sh            # build, measure, print a markdown table
#   scripts/benchmark-data-plane.sh --record   # ... and replace the "Data Plane" section of docs/benchmarks.md
#
# Per engine: builds the release binary (swift build -c release --product gstacks --scratch-path .build-release),
# starts `gstacks server` on a free loopback port with a fresh database, signs in, creates and activates a tenant,
# then runs scripts/lib/data_plane_benchmark.py, which starts moto and a real agent, publishes and installs the
# example extensions through the API and documents each measurement and its reference.
#
# Options:
#   --record          write the results into docs/benchmarks.md
#   --skip-build      use the existing .build-release/release/gstacks (or GSTACKS_BIN, e.g. .build/debug/gstacks)
#   --engines LIST    comma-separated subset of sqlite,postgresql (default here: sqlite)
#   -h, --help        this text
# Environment (defaults in brackets):
#   BENCH_RUNS [5]  BENCH_POLL_MS [50]  BENCH_LOG_LEVEL [warning]  GSTACKS_BIN  S3_SERVER_VENV [.venv-s3]
#   BENCH_RAW (a file that keeps every run's raw figures, JSON lines: the provision runs, the health reports)
# Needs: swift, curl, python3, openssl, tar, bubblewrap, root (the agent runs services as user 65534, and so does the
# reference), PostgreSQL's server binaries (/usr/lib/postgresql/*/bin); moto and boto3 are installed into .venv-s3.
set -Eeuo pipefail
trap 'echo "benchmark-data-plane: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
export S3_VENV=${S3_SERVER_VENV:-$ROOT/.venv-s3}
python3 scripts/lib/s3_server.py --venv "$S3_VENV" setup >&2
bench_run_engines benchmark-data-plane scripts/lib/data_plane_benchmark.py
