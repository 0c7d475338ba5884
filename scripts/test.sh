#!/usr/bin/env bash
# The test command: builds, runs Schemathesis against a live server with the shared contract,
# then the Swift Testing suites (domain, store conformance on SQLite and PostgreSQL, HTTP edge).
# PostgreSQL tests start a throwaway server when its binaries are installed and are skipped with a
# note otherwise; GSTACKS_REQUIRE_POSTGRES=1 (set by CI) turns a missing PostgreSQL into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
GSTACKS_BIN=.build/debug/gstacks SCHEMATHESIS_ENGINE=sqlite scripts/schemathesis.sh
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    GSTACKS_BIN=.build/debug/gstacks SCHEMATHESIS_ENGINE=postgresql scripts/schemathesis.sh
elif [[ ${GSTACKS_REQUIRE_POSTGRES:-0} == 1 ]]; then
    echo "GSTACKS_REQUIRE_POSTGRES=1 but the PostgreSQL server is not installed" >&2
    exit 1
else
    echo "NOTE: PostgreSQL server not installed; the Schemathesis run on PostgreSQL is skipped." >&2
fi
# The legitimacy decision tests validate documents with Python's jsonschema (the reference validator), pinned,
# in the venv schemathesis.sh created.
VENV=.venv-schemathesis
"$VENV/bin/python" -c "import jsonschema" 2>/dev/null || "$VENV/bin/pip" install --quiet "jsonschema==4.26.0"
# nanoidp, the OIDC provider the device-code sign-in tests run against (its own venv, pinned; docs/oidc-test-provider.md).
python3 scripts/lib/oidc_provider.py setup >/dev/null
# moto's S3 server and boto3, for the object-storage tests (their own venv, pinned; docs/object-storage.md).
python3 scripts/lib/s3_server.py setup >/dev/null
# Selenium, for the console's browser tests with Debian's chromium and chromium-driver (its own venv, pinned;
# scripts/lib/console_browser.py). Without Chromium those tests are skipped with a note; CI requires them.
python3 scripts/lib/console_browser.py setup >/dev/null
# The e2b SDK, for the E2B-compatible API's tests (its own venv, pinned; docs/e2b.md).
python3 scripts/lib/e2b_sdk.py setup >/dev/null
# The official Python MCP client, which drives `gstacks mcp` in its test (its own venv, pinned; scripts/lib/mcp_check.py).
python3 scripts/lib/mcp_check.py setup >/dev/null
# The official JSON-Schema-Test-Suite (draft 2020-12) for the manifests' schema validator, from the same pinned sdist.
JSON_SCHEMA_SUITE=$(scripts/lib/fetch-json-schema-suite.sh "$VENV/bin/python" | tail -n 1)
# Three runs: the suites that time an in-process server (pings every 200 ms, a retry within its 1 s backoff, connection
# timeouts) or an in-process service supervisor (healthy within 20 s) first, then everything else in parallel, then template builds. On 2 cores the end-to-end suites (real servers, agents, bubblewrap,
# PostgreSQL) saturate the machine, and those timings then fail for want of CPU, not for a defect.
export GSTACKS_JSON_SCHEMA_SUITE="$JSON_SCHEMA_SUITE" GSTACKS_REQUIRE_JSON_SCHEMA_SUITE=1 GSTACKS_TEST_PYTHON="$PWD/$VENV/bin/python"
TIMED='AgentGatewayTests|OperationGateTests|ConnectionLimitTests|ServiceSupervisorTests'
swift test --skip-build --filter "$TIMED"
# Template builds (debootstrap, apt, zstd) load both cores for a minute or two: alone, after the rest, so that the
# rest's time limits are not theirs.
TEMPLATES='TemplateTests|TemplateEndToEndTests'
swift test --skip-build --skip "$TIMED|$TEMPLATES"
swift test --skip-build --filter "$TEMPLATES"
