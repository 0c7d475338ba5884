#!/usr/bin/env python3
"""A real OIDC provider (nanoidp, from PyPI) for tests of the RFC 8628 device authorization flow.

Standard library only; nanoidp itself lives in its own venv (default: <repo>/.venv-oidc, override
with --venv or OIDC_PROVIDER_VENV). Documentation: docs/oidc-test-provider.md.

    python3 scripts/lib/oidc_provider.py setup                      # venv + nanoidp==3.4.0 (pip)
    python3 scripts/lib/oidc_provider.py start --port 0 --data /tmp/oidc [--device-code-ttl 5]
        -> prints one JSON line {"ready": true, "issuer": ..., "pid": ...} once discovery answers,
           then stays in the foreground until SIGTERM/SIGINT (nanoidp is stopped with it)
    python3 scripts/lib/oidc_provider.py start ... --print-command  # write config, print argv, exit
    python3 scripts/lib/oidc_provider.py approve --issuer URL --user-code CODE \
        --username ada@example.com --password ada-password-123 [--deny]

Helpers for checking by hand: `wait`, `device-authorize`, `poll`, `decode`.
"""

import argparse
import base64
import html.parser
import http.cookiejar
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from child_process import dies_with_parent  # noqa: E402

NANOIDP_VERSION = "3.4.0"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VENV = os.environ.get("OIDC_PROVIDER_VENV", os.path.join(REPO_ROOT, ".venv-oidc"))

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# The fixtures every test can count on. `username` is what a person types on the /device page and
# is also the token's `sub`; nanoidp has no separate login-by-email.
USERS = [
    {"username": "ada@example.com", "password": "ada-password-123", "email": "ada@example.com",
     "roles": ["USER"], "description": "Ada Lovelace (username = email)"},
    {"username": "grace", "password": "grace-password-123", "email": "grace@example.com",
     "roles": ["USER"], "description": "Grace Hopper (username != email)"},
]
PUBLIC_CLIENT = {"client_id": "gstacks-cli", "token_endpoint_auth_method": "none",
                 "description": "Public device-flow client (RFC 8628 §3.1: client_id only)"}
CONFIDENTIAL_CLIENT = {"client_id": "gstacks-server", "client_secret": "gstacks-server-secret",
                       "token_endpoint_auth_method": "client_secret_basic",
                       "description": "Confidential client (HTTP Basic)"}
ACCESS_TOKEN_AUDIENCE = "gstacks"


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# setup / start
# ---------------------------------------------------------------------------------------------

def nanoidp_bin(venv):
    return os.path.join(venv, "bin", "nanoidp")


def cmd_setup(args):
    venv = os.path.abspath(args.venv)
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    probe = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('nanoidp'))"],
                           capture_output=True, text=True)
    if probe.returncode == 0 and probe.stdout.strip() == NANOIDP_VERSION and not args.force:
        print(f"nanoidp {NANOIDP_VERSION} already installed in {venv}")
        return 0
    spec = args.wheel or f"nanoidp=={NANOIDP_VERSION}"
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec], check=True)
    print(f"nanoidp installed in {venv}")
    return 0


def _q(value):
    """A YAML scalar: JSON strings/numbers/booleans are valid YAML flow scalars."""
    return json.dumps(value)


def _yaml_list(values):
    return "[" + ", ".join(_q(v) for v in values) + "]"


def write_config(data_dir, port, ttl, interval, issuer=None):
    """Write settings.yaml and users.yaml into data_dir; keys/ is created by nanoidp on first start
    (an existing key pair is kept, so the kid is stable across restarts of the same data dir)."""
    data_dir = os.path.abspath(data_dir)
    os.makedirs(os.path.join(data_dir, "keys"), exist_ok=True)
    issuer = issuer or f"http://127.0.0.1:{port}"
    clients = []
    for c in (PUBLIC_CLIENT, CONFIDENTIAL_CLIENT):
        lines = [f"    - client_id: {_q(c['client_id'])}"]
        if "client_secret" in c:
            lines.append(f"      client_secret: {_q(c['client_secret'])}")
        lines.append(f"      token_endpoint_auth_method: {_q(c['token_endpoint_auth_method'])}")
        lines.append(f"      description: {_q(c['description'])}")
        clients.append("\n".join(lines))
    settings = f"""# Written by scripts/lib/oidc_provider.py; rewritten on every start.
config_version: 1
config_validation: "strict"
security_profile: "dev"
server:
  host: "127.0.0.1"
  port: {int(port)}
oauth:
  issuer: {_q(issuer)}
  audience: {_q(ACCESS_TOKEN_AUDIENCE)}
  token_expiry_minutes: 60
  clients:
{chr(10).join(clients)}
device_flow:
  code_expiry_seconds: {int(ttl)}
  polling_interval: {int(interval)}
jwt:
  algorithm: "RS256"
  keys_dir: {_q(os.path.join(data_dir, "keys"))}
session:
  secret_key: {_q(secrets.token_hex(16))}
login:
  mode: "password"
logging:
  level: "INFO"
"""
    users = ["# Written by scripts/lib/oidc_provider.py; rewritten on every start.",
             "config_version: 1", "users:"]
    for u in USERS:
        users += [f"  {_q(u['username'])}:",
                  f"    password: {_q(u['password'])}",
                  f"    email: {_q(u['email'])}",
                  f"    description: {_q(u['description'])}",
                  f"    roles: {_yaml_list(u['roles'])}",
                  '    tenant: "default"']
    with open(os.path.join(data_dir, "settings.yaml"), "w") as f:
        f.write(settings)
    with open(os.path.join(data_dir, "users.yaml"), "w") as f:
        f.write("\n".join(users) + "\n")
    return issuer


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def discovery(issuer, timeout=2.0):
    with urllib.request.urlopen(issuer.rstrip("/") + "/.well-known/openid-configuration",
                                timeout=timeout) as r:
        return json.load(r)


def wait_ready(issuer, deadline, proc=None):
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Failure(f"nanoidp exited with status {proc.returncode} before it was ready")
        try:
            doc = discovery(issuer)
            if doc.get("issuer") == issuer:
                return doc
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise Failure(f"discovery at {issuer} did not answer in time")


def cmd_start(args):
    port = args.port or free_port()
    issuer = write_config(args.data, port, args.device_code_ttl, args.interval)
    data_dir = os.path.abspath(args.data)
    argv = [nanoidp_bin(args.venv), "--config", data_dir, "--host", "127.0.0.1", "--port", str(port)]
    if args.print_command:
        print(" ".join(argv))
        return 0
    if not os.path.exists(argv[0]):
        raise Failure(f"{argv[0]} not found; run `{sys.argv[0]} setup` first")
    log_path = os.path.join(data_dir, "nanoidp.log")
    log = open(log_path, "ab")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for name in ("NANOIDP_CONFIG_DIR", "MOCK_IDP_CONFIG_DIR", "NANOIDP_BOOTSTRAP_HOOK", "NANOIDP_BOOTSTRAP_PLUGIN"):
        env.pop(name, None)
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=data_dir, env=env, preexec_fn=dies_with_parent(signal.SIGTERM))

    def stop(*_):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        doc = wait_ready(issuer, time.monotonic() + args.ready_timeout, proc)
    except Failure:
        if proc.poll() is None:
            proc.kill()
        with open(log_path, "rb") as f:
            sys.stderr.write(f.read()[-4000:].decode(errors="replace"))
        raise
    info = {"ready": True, "issuer": issuer, "port": port, "pid": os.getpid(), "nanoidp_pid": proc.pid,
            "discovery": issuer + "/.well-known/openid-configuration",
            "device_authorization_endpoint": doc.get("device_authorization_endpoint"),
            "token_endpoint": doc.get("token_endpoint"), "jwks_uri": doc.get("jwks_uri"),
            "device_code_ttl": args.device_code_ttl, "interval": args.interval,
            "public_client_id": PUBLIC_CLIENT["client_id"], "log": log_path}
    with open(os.path.join(data_dir, "provider.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info), flush=True)
    proc.wait()
    return proc.returncode


def cmd_wait(args):
    doc = wait_ready(args.issuer.rstrip("/"), time.monotonic() + args.timeout)
    print(json.dumps(doc, indent=2))
    return 0


# ---------------------------------------------------------------------------------------------
# approve: what a person does in a browser
# ---------------------------------------------------------------------------------------------

class _PageParser(html.parser.HTMLParser):
    """Forms (method, action, inputs, submit buttons), the decision heading and the error alert."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._capture = None  # "h5" or "alert"
        self._depth = 0
        self.headings = []
        self.alerts = []
        self._buf = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "GET").upper(), "action": a.get("action"),
                          "inputs": [], "buttons": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            self._form["inputs"].append({"name": a["name"], "type": (a.get("type") or "text").lower(),
                                         "value": a.get("value") or ""})
        elif tag == "button" and self._form is not None and a.get("name"):
            self._form["buttons"].append({"name": a["name"], "value": a.get("value") or ""})
        if self._capture is None and (tag == "h5" or (tag == "div" and "alert" in (a.get("class") or "").split())):
            self._capture, self._depth, self._buf = ("h5" if tag == "h5" else "alert"), 0, []
        if self._capture is not None and tag in ("div", "h5"):
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if self._capture is not None and tag in ("div", "h5"):
            self._depth -= 1
            if self._depth == 0:
                text = " ".join("".join(self._buf).split())
                (self.headings if self._capture == "h5" else self.alerts).append(text)
                self._capture = None

    def handle_data(self, data):
        if self._capture is not None:
            self._buf.append(data)


def _parse(body):
    p = _PageParser()
    p.feed(body)
    return p


class Browser:
    def __init__(self, timeout=10.0):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.timeout = timeout

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Accept": "text/html"})
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                return r.status, r.geturl(), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, url, e.read().decode("utf-8", "replace")


def approve(issuer, user_code, username, password, deny=False, verification_uri=None, log=None):
    """Open the verification page, sign in and authorize (or deny). Returns "authorized" or
    "denied"; raises Failure with the page's message otherwise."""
    log = log or (lambda *_: None)
    browser = Browser()
    page_url = verification_uri or (issuer.rstrip("/") + "/device")
    if "user_code=" not in page_url:  # verification_uri_complete already carries it
        page_url += ("&" if "?" in page_url else "?") + urllib.parse.urlencode({"user_code": user_code})
    status, url, body = browser.request(page_url)
    log(f"GET {page_url} -> {status}")
    if status != 200:
        raise Failure(f"verification page answered HTTP {status}")
    for _step in range(4):  # password form; two-step login (username, then password) needs two
        page = _parse(body)
        forms = [f for f in page.forms if f["method"] == "POST" and any(i["name"] == "user_code" for i in f["inputs"])]
        if not forms:
            raise Failure("no device form on the verification page")
        form = forms[0]
        data = {}
        for field in form["inputs"]:
            name = field["name"]
            if name == "user_code":
                data[name] = field["value"] or user_code
            elif name == "username" and field["type"] != "hidden":
                data[name] = username or ""
            elif name == "password":
                data[name] = password or ""
            elif field["type"] in ("hidden", "text") or field["type"] == "checkbox" and field["value"]:
                data[name] = field["value"]  # CSRF tokens and other hidden state are sent back as given
        wanted = "deny" if deny else "authorize"
        button = next((b for b in form["buttons"] if b["name"] == "action" and b["value"] == wanted), None)
        if button is None:
            raise Failure(f"the device form has no {wanted!r} button")
        data["action"] = wanted
        action_url = urllib.parse.urljoin(url, form["action"]) if form["action"] else url
        status, url, body = browser.request(action_url, data)
        shown = {k: ("***" if k == "password" else v) for k, v in data.items()}
        log(f"POST {action_url} {shown} -> {status}")
        page = _parse(body)
        if "Device authorized" in page.headings:
            return "authorized"
        if "Device authorization denied" in page.headings:
            return "denied"
        if page.alerts:
            raise Failure(page.alerts[0])
        if status != 200:
            raise Failure(f"verification page answered HTTP {status}")
        # No decision and no error: a further login step (two-step username/password); go on.
    raise Failure("no decision after four form submissions")


def cmd_approve(args):
    if not args.deny and (not args.username or args.password is None):
        raise Failure("--username and --password are required unless --deny")
    log = (lambda m: print(m, file=sys.stderr)) if args.verbose else None
    decision = approve(args.issuer, args.user_code, args.username, args.password, args.deny,
                       args.verification_uri, log)
    expected = "denied" if args.deny else "authorized"
    if decision != expected:
        raise Failure(f"expected {expected}, the page says {decision}")
    print(decision)
    return 0


# ---------------------------------------------------------------------------------------------
# helpers for checking by hand
# ---------------------------------------------------------------------------------------------

def _post_form(url, data, basic=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"raw": raw.decode("utf-8", "replace")}


def _client_auth(args):
    data = {}
    basic = None
    if args.client_secret:
        basic = (args.client_id, args.client_secret)
    else:
        data["client_id"] = args.client_id
    return data, basic


def cmd_device_authorize(args):
    doc = discovery(args.issuer.rstrip("/"))
    data, basic = _client_auth(args)
    if args.scope:
        data["scope"] = args.scope
    status, body = _post_form(doc["device_authorization_endpoint"], data, basic)
    print(json.dumps({"status": status, **body}, indent=2))
    return 0 if status == 200 else 1


def cmd_poll(args):
    doc = discovery(args.issuer.rstrip("/"))
    data, basic = _client_auth(args)
    data.update({"grant_type": DEVICE_GRANT, "device_code": args.device_code})
    interval = args.interval
    deadline = time.monotonic() + args.timeout
    while True:
        status, body = _post_form(doc["token_endpoint"], data, basic)
        err = body.get("error")
        print(json.dumps({"status": status, **body}), flush=True)
        if args.once or err not in ("authorization_pending", "slow_down") or time.monotonic() > deadline:
            return 0 if status == 200 else 1
        if err == "slow_down":
            interval += 5
        time.sleep(interval)


def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def cmd_decode(args):
    token = args.token if args.token != "-" else sys.stdin.read().strip()
    header, payload, _sig = token.split(".")
    print(json.dumps({"header": b64url_json(header), "payload": b64url_json(payload)}, indent=2))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("setup", help=f"create the venv and install nanoidp=={NANOIDP_VERSION}")
    p.add_argument("--venv", default=DEFAULT_VENV)
    p.add_argument("--wheel", help="install from this wheel file instead of PyPI")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("start", help="write the config and run nanoidp on 127.0.0.1:PORT in the foreground")
    p.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    p.add_argument("--data", required=True, help="config/keys/log directory (created)")
    p.add_argument("--device-code-ttl", type=int, default=600, help="device code lifetime, 1..3600 s [600]")
    p.add_argument("--interval", type=int, default=5, help="announced polling interval, 1..60 s [5]")
    p.add_argument("--venv", default=DEFAULT_VENV)
    p.add_argument("--ready-timeout", type=float, default=30.0)
    p.add_argument("--print-command", action="store_true", help="write the config, print the nanoidp command, exit")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("wait", help="wait until discovery answers; print it")
    p.add_argument("--issuer", required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(func=cmd_wait)

    p = sub.add_parser("approve", help="approve (or deny) a user code through the /device page, as a person would")
    p.add_argument("--issuer", required=True)
    p.add_argument("--user-code", required=True)
    p.add_argument("--username")
    p.add_argument("--password")
    p.add_argument("--deny", action="store_true")
    p.add_argument("--verification-uri", help="open this page (verification_uri or verification_uri_complete) "
                   "instead of ISSUER/device")
    p.add_argument("-v", "--verbose", action="store_true", help="log the requests to stderr")
    p.set_defaults(func=cmd_approve)

    for name, func, text in (("device-authorize", cmd_device_authorize, "POST the device authorization request"),
                             ("poll", cmd_poll, "poll the token endpoint with the device code")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--issuer", required=True)
        p.add_argument("--client-id", default=PUBLIC_CLIENT["client_id"])
        p.add_argument("--client-secret", help="confidential client: sent with HTTP Basic")
        if name == "device-authorize":
            p.add_argument("--scope", default="openid email profile")
        else:
            p.add_argument("--device-code", required=True)
            p.add_argument("--interval", type=float, default=5.0)
            p.add_argument("--timeout", type=float, default=120.0)
            p.add_argument("--once", action="store_true")
        p.set_defaults(func=func)

    p = sub.add_parser("decode", help="print a JWT's header and payload (no signature check)")
    p.add_argument("token", help="the JWT, or - for stdin")
    p.set_defaults(func=cmd_decode)

    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except Failure as e:
        print(f"{args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
