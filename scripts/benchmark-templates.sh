#!/usr/bin/env bash
# Templates and warm pools: time to first command (create, then a waiting exec of `true` returns), 100 sequential runs
# each, median / p95 / p99 and success rate, for a sandbox from a template without a pool, the same with a warm pool,
# and a bare start of the same root (overlay mounted, bubblewrap running /bin/true) as the reference, in one run; and
# the test template's build time, cold (debootstrap included) and with the step cache (its last step changed).
#
#   scripts/benchmark-templates.sh             # build, measure, print a markdown table
#   scripts/benchmark-templates.sh --record    # ... and replace the "Templates and warm pools" section of docs/benchmarks.md
#
# Per engine: a fresh release `gstacks server`, a real `gstacks agent` with the process driver (bubblewrap, as root),
# then scripts/lib/templates_benchmark.py. Needs debootstrap, zstd and Debian's archive.
#
# Options: --record, --skip-build (use .build-release/release/gstacks or GSTACKS_BIN), --engines LIST (sqlite,postgresql)
# Environment: BENCH_TEMPLATE_RUNS [100]  BENCH_LOG_LEVEL [warning]  PG_BIN  GSTACKS_BIN
set -Eeuo pipefail
trap 'echo "benchmark-templates: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/benchmark-engines.sh
source scripts/lib/benchmark-engines.sh

BENCH_DEFAULT_ENGINES=sqlite
bench_parse_options "$@"
bench_run_engines benchmark-templates scripts/lib/templates_benchmark.py
