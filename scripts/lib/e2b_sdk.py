#!/usr/bin/env python3
"""The real `e2b` Python SDK (PyPI) against a live `gstacks server`: the E2B-compatible API and envd.

The SDK lives in its own venv (default: <repo>/.venv-e2b, override with E2B_SDK_VENV); this file is
standard library only until `run`, which re-executes itself with the venv's python.

    python3 scripts/lib/e2b_sdk.py setup                              # venv + e2b==2.63.0
    python3 scripts/lib/e2b_sdk.py check                              # exit 0 when it is installed
    python3 scripts/lib/e2b_sdk.py bootstrap --base-url URL --email E --password P --tenant SLUG
        -> prints {"apiKey": "gsk_..."}: an API key whose selected tenant is SLUG (created if missing)
    python3 scripts/lib/e2b_sdk.py run --base-url URL [SCENARIO ...]  # all scenarios unless named
        env: E2B_API_KEY (the tenant's key), GSTACKS_OTHER_KEY (another tenant's key),
             GSTACKS_REVOCABLE_KEY + GSTACKS_REVOCABLE_KEY_ID (a key of the tenant that the run revokes
             with GSTACKS_SESSION_KEY, a key of the same person)
        -> one JSON line per scenario {"scenario", "ok", "error"?}; exit status 1 if any failed

Only the documented SDK variables are set for the SDK: E2B_API_URL, E2B_SANDBOX_URL, E2B_API_KEY,
E2B_HTTP_VERSION (docs/e2b.md).
"""

import argparse
import http.client
import http.cookiejar
import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinned_venv  # noqa: E402

E2B_VERSION = "2.63.0"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VENV = os.environ.get("E2B_SDK_VENV", os.path.join(REPO_ROOT, ".venv-e2b"))


def venv_python(venv=DEFAULT_VENV):
    return pinned_venv.python(venv)


# MARK: bootstrap (standard library: the v1 API with a session cookie)

def api(opener, base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with opener.open(request) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else {})
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def bootstrap(base, email, password, tenant):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    status, _ = api(opener, base, "POST", "/v1/auth/session",
                    {"strategy": "password", "loginName": email, "password": password})
    assert status in (200, 201), f"sign-in: {status}"
    _, tenants = api(opener, base, "GET", "/v1/tenants")
    found = [t for t in tenants.get("items", []) if t["slug"] == tenant]
    if found:
        tenant_id = found[0]["id"]
    else:
        status, created = api(opener, base, "POST", "/v1/tenants", {"name": tenant, "slug": tenant})
        assert status == 201, f"tenant: {status} {created}"
        tenant_id = created["id"]
    status, key = api(opener, base, "POST", "/v1/api-keys", {"name": f"e2b-{tenant}-{time.time_ns()}"})
    assert status == 201, f"api key: {status} {key}"
    secret = key["key"]
    bearer = urllib.request.build_opener()
    status, _ = api(bearer, base, "POST", f"/v1/tenants/{tenant_id}/activate", headers={"Authorization": f"Bearer {secret}"})
    assert status in (200, 204), f"activate: {status}"
    return {"apiKey": secret, "apiKeyId": key["apiKey"]["id"], "tenantId": tenant_id}


# MARK: scenarios (run inside the venv)

def configure(base):
    os.environ["E2B_API_URL"] = base + "/e2b"
    os.environ["E2B_SANDBOX_URL"] = base + "/e2b/envd"
    os.environ["E2B_HTTP_VERSION"] = "1.1"


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def scenario_commands(base):
    from e2b import Sandbox, CommandExitException
    sandbox = Sandbox.create(metadata={"suite": "e2b", "case": "commands"}, envs={"GREETING": "hello"}, timeout=120)
    try:
        result = sandbox.commands.run("echo $GREETING; echo oops >&2")
        expect(result.stdout == "hello\n" and result.stderr == "oops\n" and result.exit_code == 0, f"run: {result}")
        result = sandbox.commands.run("echo $A-$B; pwd", envs={"A": "x", "B": "y"}, cwd="/workspace/sub" if make_dir(sandbox, "sub") else None)
        expect(result.stdout == "x-y\n/workspace/sub\n", f"envs and cwd: {result.stdout!r}")
        try:
            sandbox.commands.run("echo partial; exit 3")
            raise AssertionError("a non-zero exit raises")
        except CommandExitException as error:
            expect(error.exit_code == 3 and error.stdout == "partial\n", f"exit: {error.exit_code} {error.stdout!r}")
        started = time.monotonic()
        try:
            sandbox.commands.run("sleep 30", timeout=2)
            raise AssertionError("a command past its timeout raises")
        except Exception as error:  # the SDK's TimeoutException
            expect("imeout" in type(error).__name__ or "imeout" in str(error), f"timeout: {type(error).__name__}: {error}")
        expect(time.monotonic() - started < 15, "the timeout ended the command")
    finally:
        sandbox.kill()


def make_dir(sandbox, name):
    return sandbox.files.make_dir(name) or sandbox.files.exists(name)


def scenario_background(base):
    from e2b import Sandbox
    sandbox = Sandbox.create(timeout=120)
    try:
        handle = sandbox.commands.run("cat > /workspace/fed.txt; echo fed", background=True, stdin=True)
        listed = sandbox.commands.list()
        expect(any(p.pid == handle.pid for p in listed), f"listed: {[p.pid for p in listed]}")
        sandbox.commands.send_stdin(handle.pid, "from stdin\n")
        sandbox.commands.close_stdin(handle.pid)
        result = handle.wait()
        expect(result.stdout == "fed\n", f"background output: {result.stdout!r}")
        expect(sandbox.files.read("fed.txt") == "from stdin\n", "stdin reached the process")

        sleeper = sandbox.commands.run("echo started; sleep 300", background=True)
        connected = sandbox.commands.connect(sleeper.pid)
        expect(sandbox.commands.kill(sleeper.pid), "kill")
        try:
            connected.wait()
        except Exception:
            pass
        expect(all(p.pid != sleeper.pid for p in sandbox.commands.list()), "a killed process is gone")
        expect(not sandbox.commands.kill(sleeper.pid), "killing it again finds nothing")
    finally:
        sandbox.kill()


def scenario_pty(base):
    from e2b import Sandbox, PtySize
    sandbox = Sandbox.create(timeout=120)
    try:
        output = bytearray()
        terminal = sandbox.pty.create(PtySize(rows=24, cols=80))
        sandbox.pty.resize(terminal.pid, PtySize(rows=30, cols=100))
        sandbox.pty.send_stdin(terminal.pid, b"stty size; exit\n")
        terminal.wait(on_pty=output.extend)
        expect(b"30 100" in output, f"the resized terminal: {bytes(output)[-300:]!r}")
    finally:
        sandbox.kill()


def scenario_files(base):
    from e2b import Sandbox, FileType
    sandbox = Sandbox.create(timeout=120)
    try:
        sandbox.files.write("notes/hello.txt", "hello files")
        expect(sandbox.files.read("notes/hello.txt") == "hello files", "text round trip")
        payload = bytes(range(256)) * 64
        sandbox.files.write("/workspace/blob.bin", payload)
        expect(bytes(sandbox.files.read("blob.bin", format="bytes")) == payload, "bytes round trip")
        expect(sandbox.files.exists("notes/hello.txt") and not sandbox.files.exists("missing.txt"), "exists")
        info = sandbox.files.get_info("blob.bin")
        expect(info.size == len(payload) and info.type == FileType.FILE, f"info: {info}")
        names = sorted(entry.name for entry in sandbox.files.list("notes"))
        expect(names == ["hello.txt"], f"list: {names}")
        expect(sandbox.files.make_dir("deep/er/dir") and not sandbox.files.make_dir("deep/er/dir"), "make_dir, then it exists")
        sandbox.files.rename("notes/hello.txt", "notes/renamed.txt")
        expect(sandbox.files.exists("notes/renamed.txt") and not sandbox.files.exists("notes/hello.txt"), "rename")
        sandbox.files.remove("notes")
        expect(not sandbox.files.exists("notes/renamed.txt"), "remove")
        try:
            sandbox.files.read("/etc/passwd")
            raise AssertionError("a path outside the workspace is refused")
        except AssertionError:
            raise
        except Exception:
            pass
    finally:
        sandbox.kill()


def scenario_watch(base):
    from e2b import Sandbox
    sandbox = Sandbox.create(timeout=120)
    try:
        sandbox.files.make_dir("watched")
        watcher = sandbox.files.watch_dir("watched")
        sandbox.files.write("watched/new.txt", "x")
        seen = []
        for _ in range(50):
            seen += [event.name for event in watcher.get_new_events()]
            if "new.txt" in seen:
                break
            time.sleep(0.1)
        watcher.stop()
        expect("new.txt" in seen, f"watch events: {seen}")
    finally:
        sandbox.kill()


def scenario_ports(base):
    from e2b import Sandbox
    sandbox = Sandbox.create(timeout=120)
    try:
        sandbox.files.write("site/index.html", "served from the sandbox")
        sandbox.commands.run("cd /workspace/site && exec python3 -m http.server 8000 --bind 127.0.0.1", background=True, timeout=0)
        host = sandbox.get_host(8000)
        token = sandbox._envd_access_token
        body = fetch_port(base, host, {"X-Access-Token": token})
        expect(body == "served from the sandbox", f"port 8000 through {host}: {body!r}")
        try:
            urllib.request.urlopen(urllib.request.Request(base + "/index.html", headers={"Host": host}), timeout=5)
            raise AssertionError("a private port refuses a request without the token")
        except urllib.error.HTTPError as error:
            expect(error.code == 401, f"without a token: {error.code}")
        sandbox.files.write("ws_echo.py", WS_ECHO_SERVER)
        sandbox.commands.run("exec python3 /workspace/ws_echo.py", background=True, timeout=0)
        echoed = None
        for _ in range(50):
            echoed = websocket_echo(base, sandbox.get_host(8002), {"X-Access-Token": token}, "hello socket")
            if echoed:
                break
            time.sleep(0.2)
        expect(echoed == "echo: hello socket", f"a WebSocket to port 8002: {echoed!r}")
        expect(websocket_echo(base, sandbox.get_host(8002), {}, "anonymous") is None, "a private port refuses an anonymous WebSocket")
        sandbox.files.write("tricky.py", TRICKY_SERVER)
        sandbox.commands.run("exec python3 /workspace/tricky.py", background=True, timeout=0)
        fetch_port(base, sandbox.get_host(8003), {"X-Access-Token": token})
        address = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        conn.request("GET", "/smuggle", headers={"Host": sandbox.get_host(8003), "X-Access-Token": token})
        first = conn.getresponse()
        expect(first.read() == b"ok", "the announced length is what the client gets")
        try:
            conn.request("GET", "/e2b/templates", headers={"X-API-Key": os.environ["E2B_API_KEY"]})
            second = conn.getresponse()
            expect(second.getheader("X-Smuggled") is None and second.status == 200, f"the next request got the sandbox's bytes: {second.status}")
        except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
            pass  # closing the connection is as good
        conn.close()
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        conn.request("GET", "/headers", headers={"Host": sandbox.get_host(8003), "X-Access-Token": token,
                                                 "Authorization": "Bearer " + os.environ["E2B_API_KEY"],
                                                 "Cookie": "globalstacks_session=secret-session; app=kept"})
        shown = conn.getresponse()
        seen = shown.read().decode()
        expect("gsk_" not in seen and "gsx_" not in seen and "secret-session" not in seen and "app=kept" in seen,
               f"our credentials reached the sandbox's server: {seen}")
        cookies = shown.headers.get_all("Set-Cookie") or []
        expect(cookies == ["app=1"], f"the sandbox may not set our session cookie: {cookies}")
        conn.close()
        public = Sandbox.create(timeout=120, network={"allow_public_traffic": True})
        try:
            public.commands.run("cd /workspace && echo open > index.html && exec python3 -m http.server 8001 --bind 127.0.0.1", background=True, timeout=0)
            body = fetch_port(base, public.get_host(8001), {})
            expect(body == "open\n", f"a public port without credentials: {body!r}")
        finally:
            public.kill()
    finally:
        sandbox.kill()


# A WebSocket echo server for the sandbox (standard library only: the sandbox has the host's python3).
WS_ECHO_SERVER = r'''
import base64, hashlib, socket, struct
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8002)); listener.listen(4)
while True:
    conn, _ = listener.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    key = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n") if l.lower().startswith(b"sec-websocket-key:")][0]
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    first, second = conn.recv(2)
    length = second & 0x7f
    mask = conn.recv(4)
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(conn.recv(length)))
    reply = b"echo: " + data
    conn.sendall(bytes([0x81, len(reply)]) + reply)
    conn.close()
'''


# A server that answers with more than its Content-Length, and shows the headers it received.
TRICKY_SERVER = r'''
import socket
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8003)); listener.listen(4)
while True:
    conn, _ = listener.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    if head.startswith(b"GET /smuggle"):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nX-Smuggled: yes\r\nContent-Length: 8\r\n\r\nsmuggled")
    else:
        conn.sendall(b"HTTP/1.0 200 OK\r\nSet-Cookie: globalstacks_session=stolen\r\nSet-Cookie: app=1\r\n\r\n" + head)
    conn.close()
'''


def websocket_echo(base, host, headers, text):
    import base64, socket
    address = urllib.parse.urlsplit(base)
    conn = socket.create_connection((address.hostname, address.port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    conn.sendall((f"GET /chat HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    status = head.split(b" ", 2)[1]
    if status != b"101":
        return None
    payload = text.encode()
    mask = os.urandom(4)
    conn.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    rest = head.split(b"\r\n\r\n", 1)[1]
    while len(rest) < 2 or len(rest) < 2 + (rest[1] & 0x7f):
        rest += conn.recv(4096)
    conn.close()
    return rest[2:2 + (rest[1] & 0x7f)].decode()


def fetch_port(base, host, headers):
    for _ in range(50):
        try:
            with urllib.request.urlopen(urllib.request.Request(base + "/index.html", headers={"Host": host, **headers}), timeout=5) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            if error.code not in (502, 503):
                raise
            time.sleep(0.2)
    return None


def scenario_lifecycle(base):
    from e2b import Sandbox, SandboxQuery, SandboxState
    from e2b.exceptions import NotFoundException
    tag = f"life-{time.time_ns()}"
    sandbox = Sandbox.create(metadata={"run": tag}, timeout=120)
    other = Sandbox.create(metadata={"run": tag + "-other"}, timeout=120)
    try:
        listed = [s.sandbox_id for s in Sandbox.list(query=SandboxQuery(metadata={"run": tag})).next_items()]
        expect(listed == [sandbox.sandbox_id], f"list by metadata: {listed}")
        info = sandbox.get_info()
        expect(info.metadata.get("run") == tag and info.sandbox_id == sandbox.sandbox_id, f"info: {info}")

        sandbox.commands.run("echo kept > kept.txt")
        expect(sandbox.pause(), "pause")
        paused = [s.sandbox_id for s in Sandbox.list(query=SandboxQuery(metadata={"run": tag}, state=[SandboxState.PAUSED])).next_items()]
        expect(paused == [sandbox.sandbox_id], f"paused: {paused}")
        resumed = Sandbox.connect(sandbox.sandbox_id)
        expect(resumed.commands.run("cat kept.txt").stdout == "kept\n", "resumed with its files")

        sandbox.set_timeout(3)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sandbox.is_running():
            time.sleep(0.5)
        expect(not sandbox.is_running(), "killed when its timeout passed")
        try:
            Sandbox.get_info(sandbox.sandbox_id)
            raise AssertionError("an expired sandbox is gone")
        except NotFoundException:
            pass
        expect(other.kill() and not Sandbox.kill(other.sandbox_id), "kill, then it is gone")
    finally:
        for each in (sandbox, other):
            try:
                each.kill()
            except Exception:
                pass


def scenario_refusals(base):
    from e2b import Sandbox
    from e2b.exceptions import NotFoundException
    sandbox = Sandbox.create(timeout=120)
    try:
        other_key = os.environ["GSTACKS_OTHER_KEY"]
        try:
            Sandbox.connect(sandbox.sandbox_id, api_key=other_key)
            raise AssertionError("another tenant's key finds the sandbox")
        except NotFoundException:
            pass
        expect(not Sandbox.kill(sandbox.sandbox_id, api_key=other_key), "another tenant's key cannot kill it")
        second = Sandbox.create(timeout=120)
        try:
            for token in ("gsx_" + "x" * 43, second._envd_access_token, "not-a-token"):
                status, body = envd_call(base, sandbox.sandbox_id, token, "process.Process/List")
                expect(status == 401 and body.get("code") == "unauthenticated", f"a wrong access token: {status} {body}")
        finally:
            second.kill()
        status, _ = envd_stream(base, sandbox.sandbox_id, sandbox._envd_access_token, "process.Process/Start",
                                {"process": {"cmd": "/bin/echo", "args": ["hi"]}}, {"Keepalive-Ping-Interval": "9223372036854775807"})
        expect(status == 200, f"an absurd keepalive interval: {status}")
        sandbox.files.write("kept.txt", "kept")
        request = urllib.request.Request(f"{base}/e2b/envd/files?path=kept.txt", method="POST", data=b"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n",
                                         headers={"Content-Type": "multipart/form-data; boundary=b", "E2b-Sandbox-Id": sandbox.sandbox_id,
                                                  "X-Access-Token": sandbox._envd_access_token})
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("a form without its file part is written")
        except urllib.error.HTTPError as error:
            expect(error.code == 400, f"a form without its file part: {error.code}")
        expect(sandbox.files.read("kept.txt") == "kept", "the file is untouched")
        expect(sandbox.commands.run("echo still").stdout == "still\n", "the right token still works")
    finally:
        sandbox.kill()


def envd_call(base, sandbox_id, token, method, message=None):
    request = urllib.request.Request(
        f"{base}/e2b/envd/{method}", data=json.dumps(message or {}).encode(), method="POST",
        headers={"Content-Type": "application/json", "E2b-Sandbox-Id": sandbox_id, "X-Access-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def envd_stream(base, sandbox_id, token, method, message, headers):
    body = json.dumps(message).encode()
    request = urllib.request.Request(
        f"{base}/e2b/envd/{method}", data=bytes([0]) + len(body).to_bytes(4, "big") + body, method="POST",
        headers={"Content-Type": "application/connect+json", "E2b-Sandbox-Id": sandbox_id, "X-Access-Token": token, **headers})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def scenario_revoked_key(base):
    from e2b import Sandbox
    from e2b.exceptions import AuthenticationException
    key = os.environ["GSTACKS_REVOCABLE_KEY"]
    sandbox = Sandbox.create(api_key=key, timeout=120)
    sandbox.kill()
    request = urllib.request.Request(base + "/v1/api-keys/" + os.environ["GSTACKS_REVOCABLE_KEY_ID"], method="DELETE",
                                     headers={"Authorization": "Bearer " + os.environ["GSTACKS_SESSION_KEY"]})
    with urllib.request.urlopen(request) as response:
        expect(response.status in (200, 204), "revoked")
    try:
        Sandbox.list(api_key=key).next_items()
        raise AssertionError("a revoked key still lists sandboxes")
    except AuthenticationException:
        pass


def scenario_async(base):
    import asyncio
    from e2b import AsyncSandbox

    async def flow():
        sandbox = await AsyncSandbox.create(timeout=120)
        try:
            result = await sandbox.commands.run("echo async")
            expect(result.stdout == "async\n", f"async run: {result.stdout!r}")
            await sandbox.files.write("a.txt", "async file")
            expect(await sandbox.files.read("a.txt") == "async file", "async files")
            events = []
            watcher = await sandbox.files.watch_dir(".", on_event=lambda event: events.append(event.name))
            await sandbox.files.write("b.txt", "watched")
            for _ in range(50):
                if "b.txt" in events:
                    break
                await asyncio.sleep(0.1)
            await watcher.stop()
            expect("b.txt" in events, f"async watch: {events}")
        finally:
            await sandbox.kill()

    asyncio.run(flow())


SCENARIOS = {
    "commands": scenario_commands,
    "background": scenario_background,
    "pty": scenario_pty,
    "files": scenario_files,
    "watch": scenario_watch,
    "ports": scenario_ports,
    "lifecycle": scenario_lifecycle,
    "refusals": scenario_refusals,
    "revoked-key": scenario_revoked_key,
    "async": scenario_async,
}


def run(base, names):
    if sys.prefix == sys.base_prefix and os.path.exists(venv_python()):
        os.execv(venv_python(), [venv_python(), __file__, "run", "--base-url", base] + names)
    configure(base)
    failed = False
    for name in names or list(SCENARIOS):
        started = time.monotonic()
        try:
            SCENARIOS[name](base)
            print(json.dumps({"scenario": name, "ok": True, "seconds": round(time.monotonic() - started, 2)}), flush=True)
        except Exception as error:
            failed = True
            detail = "".join(traceback.format_exception(error))[-3000:]
            print(json.dumps({"scenario": name, "ok": False, "error": f"{type(error).__name__}: {error}", "trace": detail}), flush=True)
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup").add_argument("--venv", default=DEFAULT_VENV)
    boot = sub.add_parser("bootstrap")
    boot.add_argument("--base-url", required=True)
    boot.add_argument("--email", required=True)
    boot.add_argument("--password", required=True)
    boot.add_argument("--tenant", required=True)
    runner = sub.add_parser("run")
    runner.add_argument("--base-url", required=True)
    runner.add_argument("scenarios", nargs="*")
    sub.add_parser("list")
    sub.add_parser("check")
    args = parser.parse_args()
    if args.command == "setup":
        pinned_venv.ensure(args.venv, "e2b", E2B_VERSION)
    elif args.command == "bootstrap":
        print(json.dumps(bootstrap(args.base_url.rstrip("/"), args.email, args.password, args.tenant)))
    elif args.command == "check":
        if pinned_venv.installed_version(DEFAULT_VENV, "e2b") != E2B_VERSION:
            sys.exit(f"the e2b SDK {E2B_VERSION} is not installed in {DEFAULT_VENV}: run `python3 {__file__} setup`")
    elif args.command == "list":
        print(json.dumps(list(SCENARIOS)))
    else:
        status = run(args.base_url.rstrip("/"), args.scenarios)
        # The SDK's transport (a Rust runtime under pyqwest) has aborted the interpreter at its exit once the scenarios
        # had run; the outcome is decided by then, so end without the interpreter's teardown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


if __name__ == "__main__":
    main()
