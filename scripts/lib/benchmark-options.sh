# shellcheck shell=bash
# The options every benchmark script takes. Source it, then call `bench_parse_options "$@"`:
#   --record          write the results into docs/benchmarks.md            → RECORD=1
#   --skip-build      use the existing release binary                       → BUILD=0
#   --engines LIST    comma-separated subset of sqlite,postgresql           → ENGINES
#   -h, --help        the calling script's header comment
# Also sets ORIGINAL_ARGS (for the record of the command that produced the figures).

bench_usage() { sed -n '2,/^set -Eeuo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

bench_parse_options() {
    RECORD=0
    BUILD=1
    ENGINES=sqlite,postgresql
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
