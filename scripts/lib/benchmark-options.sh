# shellcheck shell=bash
# The options every benchmark script takes. Source it, then call `bench_parse_options "$@"`:
#   --record          write the results into docs/benchmarks.md            → RECORD=1
#   --skip-build      use the existing release binary                       → BUILD=0
#   --engines LIST    comma-separated subset of sqlite,postgresql           → ENGINES (default: BENCH_DEFAULT_ENGINES
#                     when the calling script sets it, else both)
#   -h, --help        the calling script's header comment
# Also sets ORIGINAL_ARGS (for the record of the command that produced the figures).
# After the build, `bench_describe_binary "$BIN"` sets BENCH_GIT and BIN_DESCRIPTION for the record.

bench_usage() { sed -n '2,/^set -Eeuo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

bench_parse_options() {
    RECORD=0
    BUILD=1
    ENGINES=${BENCH_DEFAULT_ENGINES:-sqlite,postgresql}
    ORIGINAL_ARGS=("$@")
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --record) RECORD=1 ;;
            --skip-build) BUILD=0 ;;
            --engines) ENGINES=${2:?--engines needs a value}; shift ;;
            --engines=*) ENGINES=${1#--engines=} ;;
            -h | --help) bench_usage; exit 0 ;;
            *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
        esac
        shift
    done
}

# What was measured, for the record: BENCH_GIT (the checkout's commit, flagged when Sources/ or Package.swift
# have uncommitted changes) and BIN_DESCRIPTION (which binary, and whether this run built it: with
# --skip-build the binary may be older than the commit).
bench_describe_binary() {
    local bin=$1
    BENCH_GIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || BENCH_GIT+=" (with uncommitted changes under Sources/ or Package.swift)"
    if [[ -n "${GSTACKS_BIN:-}" ]]; then
        BIN_DESCRIPTION="GSTACKS_BIN=$GSTACKS_BIN from $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC')"
    elif [[ $BUILD -eq 1 ]]; then
        BIN_DESCRIPTION="release build (.build-release), built by this run"
    else
        BIN_DESCRIPTION="release build (.build-release) from $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'), not rebuilt (--skip-build)"
    fi
    export BENCH_GIT BIN_DESCRIPTION
}
