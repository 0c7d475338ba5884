#!/usr/bin/env bash
# The test command: builds, runs Schemathesis against a live server with the shared contract,
# then the Swift Testing suites (domain, store conformance on SQLite and PostgreSQL, HTTP edge).
# PostgreSQL tests start a throwaway server when its binaries are installed and are skipped with a
# note otherwise; GSTACKS_REQUIRE_POSTGRES=1 (set by CI) turns a missing PostgreSQL into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
GSTACKS_BIN=.build/debug/gstacks scripts/schemathesis.sh
swift test --skip-build
