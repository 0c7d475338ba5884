# shellcheck shell=bash
# Helpers shared by scripts/benchmark.sh and scripts/schemathesis.sh: start a `gstacks server`
# on a free loopback port, wait until it is ready, call the API and fail loudly on surprises.
# Source it from a script running with `set -euo pipefail`.

# A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
gs_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A random password for the throwaway admin (never printed).
gs_random_secret() {
    python3 -c 'import secrets; print(secrets.token_urlsafe(24))'
}

# gs_server_start BIN LOGFILE [server flags...]
# Starts `BIN server --host 127.0.0.1 --port <free port> [flags...]` in the background with
# the admin from GSTACKS_ADMIN_EMAIL / GSTACKS_ADMIN_PASSWORD (which the caller exports), and
# waits for GET /readyz. Sets GS_PID, GS_PORT and GS_BASE_URL.
gs_server_start() {
    local bin=$1 log=$2
    shift 2
    GS_PORT=$(gs_free_port)
    GS_BASE_URL="http://127.0.0.1:$GS_PORT"
    "$bin" server --host 127.0.0.1 --port "$GS_PORT" "$@" >"$log" 2>&1 &
    GS_PID=$!
    for _ in $(seq 1 300); do
        if curl -fsS -o /dev/null "$GS_BASE_URL/readyz" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$GS_PID" 2>/dev/null; then
            echo "gstacks server exited during start-up; its log ($log):" >&2
            tail -n 50 "$log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "gstacks server did not become ready in 30 s; its log ($log):" >&2
    tail -n 50 "$log" >&2
    return 1
}

# Stops the server started by gs_server_start (SIGTERM, then SIGKILL after 10 s).
gs_server_stop() {
    local pid=${GS_PID:-}
    [[ -n "$pid" ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    GS_PID=""
}

# gs_api METHOD PATH EXPECTED_STATUS [JSON_BODY]
# Calls the API with the session cookie in GS_COOKIE (if set) and prints the response body.
# Any other status than EXPECTED_STATUS is fatal, printed with the request and the response.
gs_api() {
    local method=$1 path=$2 expected=$3 body=${4:-}
    local out status
    out=$(mktemp)
    local args=(-sS -o "$out" -w '%{http_code}' -X "$method" -H 'Accept: application/json')
    [[ -n "${GS_COOKIE:-}" ]] && args+=(-H "Cookie: $GS_COOKIE")
    [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    status=$(curl "${args[@]}" "$GS_BASE_URL$path") || { rm -f "$out"; echo "curl failed: $method $path" >&2; return 1; }
    if [[ "$status" != "$expected" ]]; then
        echo "unexpected response: $method $path ${body:+with $body} -> HTTP $status (expected $expected):" >&2
        cat "$out" >&2
        echo >&2
        rm -f "$out"
        return 1
    fi
    cat "$out"
    rm -f "$out"
}

# gs_json_get FIELD < json  — prints one top-level field of a JSON object.
gs_json_get() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# Signs in as GSTACKS_ADMIN_EMAIL with a password session and sets GS_COOKIE to
# "globalstacks_session=<token>" taken from the Set-Cookie header.
gs_sign_in() {
    local headers body status
    headers=$(mktemp)
    body=$(python3 -c 'import json, os; print(json.dumps({"strategy": "password", "loginName": os.environ["GSTACKS_ADMIN_EMAIL"], "password": os.environ["GSTACKS_ADMIN_PASSWORD"]}))')
    status=$(curl -sS -o /dev/null -D "$headers" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data-binary "$body" "$GS_BASE_URL/v1/auth/session")
    if [[ "$status" != 200 ]]; then
        echo "sign-in failed: POST /v1/auth/session -> HTTP $status" >&2
        rm -f "$headers"
        return 1
    fi
    GS_COOKIE=$(tr -d '\r' <"$headers" | sed -n 's/^[Ss]et-[Cc]ookie: *\(globalstacks_session=[^;]*\).*/\1/p' | head -n 1)
    rm -f "$headers"
    if [[ -z "$GS_COOKIE" || "$GS_COOKIE" == "globalstacks_session=" ]]; then
        echo "sign-in returned no globalstacks_session cookie" >&2
        return 1
    fi
}

# Creates a tenant (and activates it for the signed-in session); prints its id.
gs_create_active_tenant() {
    local name=$1 slug=$2 tenant_id
    tenant_id=$(gs_api POST /v1/tenants 201 "{\"name\":\"$name\",\"slug\":\"$slug\"}" | gs_json_get id)
    gs_api POST "/v1/tenants/$tenant_id/activate" 200 >/dev/null
    printf '%s\n' "$tenant_id"
}
