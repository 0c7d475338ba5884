#!/usr/bin/env python3
"""An example GlobalStacks extension (globalstacks.broker.v1, see docs/broker.md).

The request arrives on stdin as JSON; the answer goes to stdout as {"outputs": {...}, "diagnostics": [...]}.
Settings are in GLOBALSTACKS_SETTINGS, granted secrets in GLOBALSTACKS_SECRETS (both JSON objects). The only way
out of the sandbox is the egress proxy in HTTP_PROXY / HTTPS_PROXY, which admits the hosts the manifest declares.
"""
import json
import os
import resource
import sys
import time
import urllib.error
import urllib.request


def fetch(url, token=None, direct=False):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    # urllib reads HTTP_PROXY / HTTPS_PROXY from the environment; `direct` tries to go around the proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if direct else urllib.request.build_opener()
    with opener.open(request, timeout=10) as response:
        return response.status, response.read(4096).decode("utf-8", "replace")


def api(method, path, body=None):
    """Calls the GlobalStacks API with this invocation's credential (the release's consented permissions only)."""
    request = urllib.request.Request(os.environ["GLOBALSTACKS_API_URL"] + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Bearer " + os.environ["GLOBALSTACKS_API_TOKEN"])
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def open_descriptors():
    """The descriptors this process holds besides stdin, stdout and stderr: none, unless the runtime leaks one."""
    limit = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 65536)
    found = []
    for fd in range(3, limit):
        try:
            os.fstat(fd)
        except OSError:
            continue
        found.append(fd)
    return found


def main():
    request = json.load(sys.stdin)
    settings = json.loads(os.environ.get("GLOBALSTACKS_SETTINGS", "{}"))
    secrets = json.loads(os.environ.get("GLOBALSTACKS_SECRETS", "{}"))
    operation = request["operation"]
    given = request.get("input", {})
    diagnostics = ["operation %s on %s %s" % (operation, request["target"]["kind"], request["target"]["id"])]

    if operation == "probe":
        status, body = fetch(settings["endpoint"].rstrip("/") + given["path"], secrets.get("token"))
        outputs = {"status": status, "body": body, "label": settings["label"]}
    elif operation == "fetch":
        try:
            status, body = fetch(given["url"], direct=given.get("direct", False))
            outputs = {"reached": True, "status": status, "detail": body[:200]}
        except urllib.error.HTTPError as error:
            # The egress proxy answers 403 for what the extension may not reach.
            detail = error.read(500).decode("utf-8", "replace")
            outputs = {"reached": False, "status": error.code, "detail": detail}
        except Exception as error:  # noqa: BLE001 - every other failure is reported, not raised
            outputs = {"reached": False, "detail": "%s: %s" % (type(error).__name__, error)}
    elif operation == "clusters":
        status, listed = api("GET", "/v1/clusters")
        names = [cluster["name"] for cluster in (listed or {}).get("items", [])]
        # What clusters.read does not allow is refused (403).
        refused = {
            "listSandboxes": api("GET", "/v1/sandboxes")[0],
            "createApiKey": api("POST", "/v1/api-keys", {"name": "stolen"})[0],
            "createTenant": api("POST", "/v1/tenants", {"name": "Other", "slug": "other"})[0],
        }
        outputs = {"clusters": names, "refused": refused}
    elif operation == "echo":
        outputs = {"echo": given}
    elif operation == "descriptors":
        outputs = {"open": open_descriptors()}
    elif operation == "wait":
        time.sleep(given["seconds"])
        outputs = {}
    else:
        json.dump({"error": "unknown operation " + operation}, sys.stdout)
        return 2

    json.dump({"outputs": outputs, "diagnostics": diagnostics}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
