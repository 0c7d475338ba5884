#!/usr/bin/env bash
# Property-based API tests of a live `gstacks server` against the SHARED public contract.
#
#   scripts/schemathesis.sh
#   GSTACKS_BIN=.build-release/release/gstacks scripts/schemathesis.sh
#
# What it does (details and reasoning: docs/schemathesis.md):
#   1. installs schemathesis (pinned below) into .venv-schemathesis when it is missing;
#   2. starts GSTACKS_BIN (default .build/debug/gstacks; build it first) on a free 127.0.0.1
#      port with a fresh SQLite data dir and a site admin from GSTACKS_ADMIN_EMAIL /
#      GSTACKS_ADMIN_PASSWORD (generated when unset);
#   3. signs in (cookie globalstacks_session), creates a tenant and activates it, so that
#      tenant-scoped operations (clusters) do real work instead of failing for lack of a tenant;
#   4. writes a normalized copy of /work/shared/contracts/globalstacks-public-api.openapi.yaml
#      (see below) and runs schemathesis against the live server for the operations tagged
#      Auth, Tenants, Organizations, Clusters and Data Plane, listIntegrations and the marketplace's Integrations operations
#      (developer apps, packages, releases, catalog, installs, settings, CLI metadata, invoke), sending the session cookie,
#      with the checks not_a_server_error, response_schema_conformance and content_type_conformance;
#   5. runs the same checks with our own openapi.yaml for our additions that the shared contract
#      does not have: provider connections (/v1/integrations/...) and operation runs.
# Exits non-zero on any failure. Everything it starts is stopped on exit.
#
# Why a normalized contract: the shared contract's Tenant, Organization, Cluster (and a few
# other) schemas are `allOf: [ObjectMeta, {...}]` where BOTH members say
# `additionalProperties: false`. In JSON Schema each allOf member is checked on its own, and
# `additionalProperties` only knows the properties of its own member: ObjectMeta forbids `name`,
# the second member forbids `id`, so NO object satisfies both and every correct response would
# be reported as non-conforming. We merge each such allOf into one object schema with the union
# of properties and required fields and `additionalProperties: false` — the evident intent, and
# exactly as strict (scripts/lib/normalize_openapi_allof.py). The contract file is not changed.
#
# Why deleteSession is excluded: schemathesis sends our session cookie with every request, so a
# DELETE /v1/auth/session would end the session mid-run and every later request would test only
# the 401 path. Sign-out is covered by the server's own tests instead.
#
# Environment (defaults in brackets):
#   GSTACKS_BIN [.build/debug/gstacks]     CONTRACT [shared contract path, see CONTRACT below]
#   SCHEMATHESIS_MAX_EXAMPLES [30]         per operation and phase
#   SCHEMATHESIS_TIMEOUT [600]             hard limit for the schemathesis run, seconds
#   SCHEMATHESIS_SEED                      reproduce an earlier run (schemathesis prints its seed)
#   SCHEMATHESIS_MODE [all]                positive | negative | all
#   SCHEMATHESIS_CHECKS [not_a_server_error,response_schema_conformance,content_type_conformance]
#                                          e.g. add status_code_conformance to explore
#   SCHEMATHESIS_REPORT_DIR                where to keep the junit/ndjson reports (default: kept
#                                          in the temporary work dir on failure, printed)
#   GSTACKS_ADMIN_EMAIL [schemathesis-admin@example.com]  GSTACKS_ADMIN_PASSWORD [random]
set -Eeuo pipefail
# Say which command failed: set -e alone would exit silently.
trap 'echo "schemathesis: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

SCHEMATHESIS_VERSION=4.32.5   # pinned: flags and check names below are those of this version

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/gstacks-server.sh
source scripts/lib/gstacks-server.sh
# shellcheck source=scripts/postgres-throwaway.sh
source scripts/postgres-throwaway.sh
# sqlite (default) or postgresql: the same run against either engine (a throwaway PostgreSQL).
ENGINE=${SCHEMATHESIS_ENGINE:-sqlite}
[[ $ENGINE == sqlite || $ENGINE == postgresql ]] || { echo "schemathesis: SCHEMATHESIS_ENGINE must be sqlite or postgresql" >&2; exit 2; }

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    sed -n '2,/^set -Eeuo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
fi

# The shared contract lives beside the repository (…/shared/contracts) on the team's machines.
CONTRACT=${CONTRACT:-}
if [[ -z "$CONTRACT" ]]; then
    for candidate in "$ROOT/../shared/contracts/globalstacks-public-api.openapi.yaml" \
        /work/shared/contracts/globalstacks-public-api.openapi.yaml; do
        if [[ -f "$candidate" ]]; then CONTRACT=$candidate; break; fi
    done
fi
[[ -f "$CONTRACT" ]] || { echo "schemathesis: shared contract not found; set CONTRACT=path/to/globalstacks-public-api.openapi.yaml" >&2; exit 1; }

GSTACKS_BIN=${GSTACKS_BIN:-.build/debug/gstacks}
[[ -x "$GSTACKS_BIN" ]] || { echo "schemathesis: $GSTACKS_BIN is missing; build it (swift build --product gstacks) or set GSTACKS_BIN" >&2; exit 1; }
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30}
RUN_TIMEOUT=${SCHEMATHESIS_TIMEOUT:-600}
MODE=${SCHEMATHESIS_MODE:-all}
CHECKS=${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance,content_type_conformance}
export GSTACKS_ADMIN_EMAIL=${GSTACKS_ADMIN_EMAIL:-schemathesis-admin@example.com}
GSTACKS_ADMIN_PASSWORD=${GSTACKS_ADMIN_PASSWORD:-$(gs_random_secret)}
export GSTACKS_ADMIN_PASSWORD

log() { printf '[schemathesis] %s\n' "$*" >&2; }

# --- schemathesis in its own venv ---------------------------------------------------------------
VENV=$ROOT/.venv-schemathesis
if [[ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != *" $SCHEMATHESIS_VERSION" ]]; then
    log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstacks-schemathesis.XXXXXX")
REPORT_DIR=${SCHEMATHESIS_REPORT_DIR:-$WORK/report}
FAILED=1
cleanup() {
    local status=$?
    gs_server_stop
    if [[ $ENGINE == postgresql ]]; then pg_throwaway_stop || true; fi
    if [[ $FAILED -eq 0 ]]; then
        rm -rf "$WORK"
    else
        echo "schemathesis: FAILED (exit $status); server log, normalized contract and reports kept in $WORK" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the server under test ----------------------------------------------------------------------
log "starting $GSTACKS_BIN with a fresh $ENGINE database"
# bcrypt cost 4 (the minimum): this run tests behaviour, not password-hashing cost.
SERVER_FLAGS=(--data-dir "$WORK/data" --bcrypt-cost 4 --log-level info)
if [[ $ENGINE == postgresql ]]; then
    FSYNC=off pg_throwaway_start
    SERVER_FLAGS+=(--database-url "$PG_URL")
fi
gs_server_start "$GSTACKS_BIN" "$WORK/server.log" "${SERVER_FLAGS[@]}"
GS_COOKIE=""
gs_sign_in
TENANT_ID=$(gs_create_active_tenant "Schemathesis" "schemathesis")
log "server on $GS_BASE_URL, signed in, active tenant $TENANT_ID"

# --- the contracts, normalized ------------------------------------------------------------------
"$VENV/bin/python" scripts/lib/normalize_openapi_allof.py "$CONTRACT" "$WORK/contract.normalized.yaml"
"$VENV/bin/python" scripts/lib/normalize_openapi_allof.py Sources/GlobalStacksAPI/openapi.yaml "$WORK/ours.normalized.yaml"

# --- the runs -----------------------------------------------------------------------------------
# run_schemathesis LABEL DOCUMENT [selection flags...]
run_schemathesis() {
    local label=$1 document=$2
    shift 2
    local args=(
        run "$document"
        --url "$GS_BASE_URL"
        --header "Cookie: $GS_COOKIE"
        # Do not let schemathesis replace our cookie with generated values of the cookieAuth scheme.
        --generation-with-security-parameters false
        "$@"
        --checks "$CHECKS"
        --mode "$MODE"
        --max-examples "$MAX_EXAMPLES"
        --workers 1
        --request-timeout 10
        --generation-database none
        --report "junit,ndjson" --report-dir "$REPORT_DIR/$label"
        --no-color
    )
    [[ -n "${SCHEMATHESIS_SEED:-}" ]] && args+=(--seed "$SCHEMATHESIS_SEED")
    log "$label: schemathesis ${args[*]/#Cookie: */Cookie: globalstacks_session=<redacted>}"
    local run_status=0
    # Run from the work dir: schemathesis keeps a cache (.schemathesis/) in its working directory,
    # which must not land in the repository.
    (cd "$WORK" && timeout --signal=INT --kill-after=30 "$RUN_TIMEOUT" "$VENV/bin/schemathesis" "${args[@]}") || run_status=$?
    if [[ $run_status -eq 124 ]]; then
        echo "schemathesis: the $label run did not finish within ${RUN_TIMEOUT}s (SCHEMATHESIS_TIMEOUT)" >&2
    fi
    return "$run_status"
}

status=0
# 1. The shared contract, for the areas it defines and we implement.
run_schemathesis shared "$WORK/contract.normalized.yaml" \
    --include-tag Auth --include-tag Tenants --include-tag Organizations --include-tag Clusters --include-tag "Data Plane" \
    --include-operation-id listIntegrations \
    --include-operation-id listDeveloperApps \
    --include-operation-id createDeveloperApp \
    --include-operation-id listExtensionPackages \
    --include-operation-id createExtensionPackage \
    --include-operation-id listExtensionReleases \
    --include-operation-id createExtensionRelease \
    --include-operation-id listIntegrationCatalog \
    --include-operation-id getIntegrationCatalogItem \
    --include-operation-id listIntegrationInstalls \
    --include-operation-id installIntegration \
    --include-operation-id getIntegrationSettings \
    --include-operation-id updateIntegrationSettings \
    --include-operation-id getIntegrationCliCommands \
    --include-operation-id invokeIntegrationExtension \
    --exclude-operation-id deleteSession || status=$?
# 2. Our own document for our additions that the shared contract does not have: provider connections,
#    operation runs, provisioning tokens, agents, sandboxes, groups and quotas, and the marketplace's content,
#    keys, signatures, review, policy, search, consent, install state, audit and uninstall.
run_schemathesis additions "$WORK/ours.normalized.yaml" \
    --include-path-regex '^/v1/(auth/(providers|device-logins)|templates|template-builds|template-contexts|integrations|operation-types|operations/|operation-runs|agents|clusters/[^/]+/provisioning-tokens|sandboxes|groups|quotas/|organizations/current/quota|organizations/current/members/[^/]+/quota|extension-content|developer/apps/[^/]+/keys|developer/packages/[^/]+/(signatures|audit)|developer/releases|marketplace/|integration-catalog/[^/]+/consent|integration-installs/[^/]+(/state|/audit)?$)' || status=$?

# The session must have survived the run; if it did not, later results only tested 401s.
if ! gs_api GET /v1/auth/session 200 >/dev/null; then
    echo "schemathesis: the session did not survive the run, results are not meaningful" >&2
    status=1
fi
[[ $status -eq 0 ]] || exit "$status"
if [[ -n "${SCHEMATHESIS_REPORT_DIR:-}" ]]; then log "reports in $REPORT_DIR"; fi
FAILED=0
log "passed"
