#!/usr/bin/env bash
# Time to first command through the E2B-compatible API, the way ComputeSDK's public benchmark measures it: 100
# sequential runs of the `e2b` SDK's `Sandbox.create()` then `commands.run("true")`, median / p95 / p99 and success
# rate, beside the same through our v1 API and a bare bubblewrap start of /bin/true, in one run; on SQLite by default.
#
#   scripts/benchmark-e2b.sh             # build, measure, print a markdown table
#   scripts/benchmark-e2b.sh --record    # ... and replace the "Time to first command (E2B SDK)" section of docs/benchmarks.md
#
# Per engine: a fresh release `gstacks server`, a real `gstacks agent` with the process driver (bubblewrap), an API key
# for the benchmark's tenant, then scripts/lib/e2b_benchmark.py. The SDK comes from .venv-e2b
# (`python3 scripts/lib/e2b_sdk.py setup`, done here when missing).
#
# Options: --record, --skip-build (use .build-release/release/gstacks or GSTACKS_BIN), --engines LIST (sqlite,postgresql)
# Environment: BENCH_E2B_RUNS [100]  BENCH_LOG_LEVEL [warning]  PG_BIN  GSTACKS_BIN
set -Eeuo pipefail
trap 'echo "benchmark-e2b: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

python3 scripts/lib/e2b_sdk.py check >/dev/null 2>&1 || python3 scripts/lib/e2b_sdk.py setup
BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
bench_run_engines benchmark-e2b scripts/lib/e2b_benchmark.py
