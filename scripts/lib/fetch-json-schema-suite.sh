#!/usr/bin/env bash
# Fetches the official JSON-Schema-Test-Suite's draft 2020-12 tests, as vendored in the jsonschema 4.26.0 sdist
# (pinned, from PyPI through pip), and prints the absolute path of its tests/draft2020-12 directory as the last line.
# Idempotent: nothing is downloaded or extracted when the directory is already there. See docs/json-schema.md.
# Usage: scripts/lib/fetch-json-schema-suite.sh [python] [cache-dir]
#        (defaults: python3, and .cache/json-schema-suite in the repository, which is gitignored)
set -euo pipefail

python=${1:-python3}
cache=${2:-$(cd "$(dirname "$0")/../.." && pwd)/.cache/json-schema-suite}
version=4.26.0
member="jsonschema-$version/json/tests/draft2020-12"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
if [[ ! -f $cache/$member/type.json ]]; then
    sdist=$cache/jsonschema-$version.tar.gz
    if [[ ! -f $sdist ]]; then
        "$python" -m pip download --quiet --no-deps --no-binary :all: --dest "$cache" "jsonschema==$version" >&2
    fi
    tar -xzf "$sdist" -C "$cache" "$member"
fi
echo "$cache/$member"
