#!/usr/bin/env python3
"""The operator console in a real browser: scenarios driven with Selenium through headless Chromium (Debian's
`chromium` and `chromium-driver`) against a running `gstacks server`, saving screenshots of the pages they pass.

Standard library only until `run`; Selenium lives in its own venv (default: <repo>/.venv-browser, override with --venv
or CONSOLE_BROWSER_VENV), and `run` re-executes itself with that venv's python. Used by
Tests/GlobalStacksServerTests/ConsoleBrowserTests.swift (one scenario per test, each on a fresh server) and by
scripts/console-screenshots.sh (every enabled scenario, each on a fresh server, screenshots into docs/console/).

    python3 scripts/lib/console_browser.py setup        # venv + selenium, pinned (pip)
    python3 scripts/lib/console_browser.py check        # exit 0 when Chromium, its driver and Selenium are there
    python3 scripts/lib/console_browser.py list [--all | --json]  # the enabled scenarios (--all: also those waiting for pages)
    python3 scripts/lib/console_browser.py run --base-url http://127.0.0.1:PORT [--screenshots DIR] SCENARIO...

`run` signs in as the site admin (GSTACKS_ADMIN_EMAIL / GSTACKS_ADMIN_PASSWORD) through the v1 API only to make each
scenario's own users, workspaces and tenants; everything a scenario checks, it does in the browser as a person would.
The scenarios are in console_scenarios.py; each makes fresh users, so several can run against one server in any order
(but the server's sign-in throttle allows 20 sign-ins per 15 minutes from one address: about four scenarios). A
failing scenario prints its steps, the page it was on and a screenshot path, and `run` exits 1.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinned_venv  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_scenarios import SCENARIOS  # noqa: E402

SELENIUM_VERSION = "4.50.0"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VENV = os.environ.get("CONSOLE_BROWSER_VENV", os.path.join(REPO_ROOT, ".venv-browser"))
CHROMIUM = os.environ.get("CONSOLE_BROWSER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CONSOLE_BROWSER_CHROMEDRIVER", "/usr/bin/chromedriver")
PASSWORD = "browser-password-123"
WINDOW = (1280, 860)


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------------
# setup / check
# ---------------------------------------------------------------------------------------------------------------------

def venv_python(venv):
    return pinned_venv.python(venv)


def cmd_setup(args):
    installed = pinned_venv.ensure(args.venv, "selenium", SELENIUM_VERSION)
    print(f"selenium {SELENIUM_VERSION} {'installed' if installed else 'already installed'} in {os.path.abspath(args.venv)}")
    return 0


def missing(venv):
    """What the browser tests lack here, as words (empty: nothing)."""
    lacks = []
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            lacks.append(f"{path} (apt-get install {package})")
    if pinned_venv.installed_version(venv, "selenium") is None:
        lacks.append(f"selenium in {venv} (python3 scripts/lib/console_browser.py setup)")
    return lacks


def cmd_check(args):
    lacks = missing(args.venv)
    if lacks:
        print("missing: " + "; ".join(lacks))
        return 1
    print("chromium, chromedriver and selenium are installed")
    return 0


def cmd_list(args):
    if args.json:
        print(json.dumps([{"name": name, "needsSandboxes": entry["needs_sandboxes"], "needsExtension": entry["needs_extension"]}
                          for name, entry in SCENARIOS.items() if entry["enabled"]]))
        return 0
    for name, entry in SCENARIOS.items():
        if entry["enabled"] or args.all:
            flags = (" [sandboxes]" if entry["needs_sandboxes"] else "") + ("" if entry["enabled"] else f" [disabled: {entry['waiting_for']}]")
            print(f"{name}{flags}" if args.all else name)
    return 0


# ---------------------------------------------------------------------------------------------------------------------
# the v1 API, to make each scenario's world (standard library only)
# ---------------------------------------------------------------------------------------------------------------------

class API:
    """One signed-in user over the v1 API (a session cookie of its own)."""

    def __init__(self, base, email, password):
        self.url = urllib.parse.urlparse(base)
        self.cookie = None
        reply = self.call("POST", "/v1/auth/session", {"strategy": "password", "loginName": email, "password": password}, raw=True)
        self.cookie = reply.getheader("Set-Cookie", "").split(";")[0]
        if not self.cookie.startswith("globalstacks_session="):
            raise Failure(f"signing {email} in over the API gave no session cookie")

    def call(self, method, path, body=None, expect=(200, 201), raw=False, headers=None):
        connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
        sent = {"Accept": "application/json", **(headers or {})}
        if self.cookie:
            sent["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        if response.status not in expect:
            raise Failure(f"{method} {path} answered {response.status}: {payload[:400]!r}")
        if raw:
            return response
        return json.loads(payload) if payload else {}


class World:
    """What the scenarios share: the server, the admin's API session, fresh names, the browser and the screenshots."""

    def __init__(self, base, admin_email, admin_password, screenshots):
        self.base = base.rstrip("/")
        self.password = PASSWORD  # every user a scenario makes has it
        self.admin = API(self.base, admin_email, admin_password)
        self.screenshots = screenshots
        self.drivers = []
        self.steps = []

    def unique(self, word):
        return f"{word}-{uuid.uuid4().hex[:6]}"

    def user(self, name):
        """A new user (a site user with a personal workspace) and its API session."""
        email = f"{self.unique(name.lower())}@example.com"
        made = self.admin.call("POST", "/v1/users", {"email": email, "displayName": name, "password": PASSWORD}, expect=(201,))
        person = API(self.base, email, PASSWORD)
        person.email, person.id, person.name = email, made["id"], name
        return person

    def workspace(self, owner, name):
        """A business workspace of `owner`, made active for its API session."""
        made = owner.call("POST", "/v1/organizations", {"name": name}, expect=(201,))
        owner.call("POST", f"/v1/organizations/{made['id']}/activate")
        return made

    def personal_workspace(self, person):
        items = person.call("GET", "/v1/organizations")["items"]
        return next(item for item in items if item["kind"] == "personal")

    def tenant(self, owner, name):
        """A tenant in the owner's active workspace; returns its detail (with `externalId`)."""
        slug = self.unique(name.lower().replace(" ", "-"))
        made = owner.call("POST", "/v1/tenants", {"name": name, "slug": slug}, expect=(201,))
        return owner.call("GET", f"/v1/tenants/{made['id']}")

    def join(self, owner, member):
        """`member` joins the owner's active workspace through an invitation."""
        invitation = owner.call("POST", "/v1/organizations/current/invitations", {"email": member.email, "role": "member"}, expect=(201,))
        token = urllib.parse.urlparse(invitation["acceptUrl"]).path.split("/")[-2]
        member.call("POST", f"/v1/invitations/{token}/accept")

    # -- the browser --------------------------------------------------------------------------------------------------

    def browser(self, javascript=True):
        driver = Browser(self, javascript)
        self.drivers.append(driver)
        return driver

    def close(self):
        for driver in self.drivers:
            driver.quit()
        self.drivers = []

    def step(self, text):
        self.steps.append(text)
        print(f"  · {text}", flush=True)

    def post_form(self, path, fields, cookie, origin=None):
        """A form post from outside any page (Python, with the browser's session cookie): (status, body)."""
        url = urllib.parse.urlparse(self.base)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"globalstacks_session={cookie}", "Accept": "text/html"}
        if origin:
            headers["Origin"] = origin
        connection.request("POST", path, body=urllib.parse.urlencode(fields), headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, body

    def make_sandboxes(self, person, count):
        """`count` sandboxes in the person's active tenant, running (the server needs an agent: --embedded-agent)."""
        ids = []
        deadline = time.monotonic() + 60
        for index in range(count):
            while True:
                try:
                    made = person.call("POST", "/v1/sandboxes", {"name": f"worker-{index + 1}", "command": ["/bin/sleep", "600"],
                                                                   "resources": {"cpu": "250m", "memory": "256Mi"}, "labels": {"suite": "browser"}},
                                       expect=(201, 202))
                    ids.append(made["id"])
                    break
                except Failure as failure:  # 409 until the agent is online
                    if time.monotonic() > deadline:
                        raise Failure(f"no agent took the sandbox: {failure}")
                    time.sleep(0.2)
        for sandbox in ids:
            while person.call("GET", f"/v1/sandboxes/{sandbox}")["state"] != "running":
                if time.monotonic() > deadline:
                    raise Failure(f"sandbox {sandbox} did not start")
                time.sleep(0.2)
        self.step(f"{count} sandboxes running")
        return ids


def expect(condition, message):
    if not condition:
        raise Failure(message)


class Browser:
    """One headless Chromium (its own profile, so its own cookies) with the few actions the scenarios need."""

    def __init__(self, world, javascript):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.world = world
        self.profile = tempfile.mkdtemp(prefix="gstacks-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        # --no-sandbox: Chromium's own sandbox cannot start as root (CI runs as root); the pages are our own.
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--user-data-dir={self.profile}", "--lang=en-US",
                     "--force-device-scale-factor=1", "--hide-scrollbars"):
            options.add_argument(flag)
        if not javascript:
            options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        self.driver.set_page_load_timeout(30)

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # navigation and reading

    def open(self, path):
        self.driver.get(self.world.base + path)
        return self

    @property
    def path(self):
        """The current URL's path and query, checked to be on the server's own origin."""
        url = urllib.parse.urlparse(self.driver.current_url)
        return url.path + (f"?{url.query}" if url.query else "")

    @property
    def origin(self):
        url = urllib.parse.urlparse(self.driver.current_url)
        return f"{url.scheme}://{url.netloc}"

    def heading(self):
        return self.text("h1")

    def text(self, selector):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, selector).text.strip()

    def texts(self, selector):
        from selenium.webdriver.common.by import By
        return [element.text.strip() for element in self.driver.find_elements(By.CSS_SELECTOR, selector)]

    def has(self, selector):
        from selenium.webdriver.common.by import By
        return len(self.driver.find_elements(By.CSS_SELECTOR, selector)) > 0

    def body(self):
        return self.text("body")

    # forms

    def fill(self, selector, value):
        from selenium.webdriver.common.by import By
        field = self.driver.find_element(By.CSS_SELECTOR, selector)
        field.clear()
        field.send_keys(value)

    def click(self, selector):
        from selenium.webdriver.common.by import By
        self.submitting(lambda: self.driver.find_element(By.CSS_SELECTOR, selector).click())

    def click_button(self, text, within="main"):
        """Clicks the button in `within` whose text contains `text` (a form post: waits for the next page)."""
        from selenium.webdriver.common.by import By
        buttons = [b for b in self.driver.find_elements(By.CSS_SELECTOR, f"{within} button") if text in b.text]
        expect(buttons, f"no button with {text!r} in {within} on {self.path}: {self.texts(within + ' button')}")
        self.submitting(buttons[0].click)

    def submitting(self, action):
        """Runs `action` (which leaves the page) and waits until the next page has loaded."""
        from selenium.webdriver.support.ui import WebDriverWait
        from selenium.common.exceptions import WebDriverException
        old = self.driver.find_element("tag name", "html")
        action()

        def left(driver):
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                # Stale, or (while the old document is being torn down) "Node … does not belong to the document".
                return driver.execute_script("return document.readyState") == "complete"
        WebDriverWait(self.driver, 20).until(left)

    def sign_in(self, email, password=PASSWORD, workspace=None):
        """Signs in through the form (a new session starts in the person's own workspace), then switches to
        `workspace` through the chooser when one is named."""
        self.open("/admin")
        expect(self.path.startswith("/admin/sign-in"), f"/admin without a session should ask to sign in, got {self.path}")
        self.fill("#email", email)
        self.fill("#password", password)
        self.click("form[action='/admin/sign-in'] button[type=submit]")
        expect(self.path == "/admin", f"signed in as {email}: {self.path} {self.texts('[role=alert]')}")
        if workspace:
            self.open("/admin/choose-workspace")
            self.click_button(workspace)

    def fetch(self, path, method="GET", accept="application/json", form=None):
        """A request from inside the page (same origin, the page's cookies): [status, body text]."""
        script = """
            const [path, method, accept, form, done] = arguments;
            const init = {method, credentials: "same-origin", headers: {"Accept": accept}};
            if (form !== null) { init.body = new URLSearchParams(form); }
            fetch(path, init).then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));
        """
        return self.driver.execute_async_script(script, path, method, accept, form)

    def envelope(self, path):
        status, body = self.fetch(path)
        expect(status == 200, f"GET {path} as JSON answered {status}: {body[:300]}")
        return json.loads(body)["resolvedContext"]

    def cookie(self, name):
        found = self.driver.get_cookie(name)
        return found["value"] if found else None

    def shot(self, name):
        """Checks the page's accessible basics, then saves it as <screenshots>/<name>.png (the window grows to the page's
        height for the shot). Every page a scenario shows is checked, screenshots or not."""
        self.check_accessible_basics(name)
        if not self.world.screenshots:
            return
        os.makedirs(self.world.screenshots, exist_ok=True)
        height = self.driver.execute_script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
        self.driver.set_window_size(WINDOW[0], max(WINDOW[1], min(int(height), 4000)))
        path = os.path.join(self.world.screenshots, f"{name}.png")
        self.driver.save_screenshot(path)
        self.driver.set_window_size(*WINDOW)
        self.world.step(f"screenshot {path}")


    ACCESSIBLE_BASICS = """
        const problems = [];
        for (const control of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
          const labelled = (control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`))
            || control.closest("label") || control.getAttribute("aria-label") || control.getAttribute("aria-labelledby");
          if (!labelled) problems.push(`a ${control.tagName.toLowerCase()} named ${control.name || "?"} has no label`);
        }
        for (const button of document.querySelectorAll("button")) {
          if (!(button.textContent.trim() || button.getAttribute("aria-label"))) problems.push("a button has no text");
        }
        let level = 0;
        for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
          const next = Number(heading.tagName[1]);
          if (next > level + 1) problems.push(`heading "${heading.textContent.trim()}" skips from h${level} to h${next}`);
          level = next;
        }
        if (document.querySelectorAll("h1").length !== 1) problems.push(`${document.querySelectorAll("h1").length} h1 headings`);
        if (!document.documentElement.lang) problems.push("no lang on <html>");
        return problems;
    """

    def check_accessible_basics(self, name):
        """Labels on every control, text on every button, one h1 and headings in order, the page's language."""
        problems = self.driver.execute_script(self.ACCESSIBLE_BASICS)
        expect(not problems, f"accessible basics of {name} ({self.path}): {problems}")


# ---------------------------------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------------------------------

def cmd_run(args):
    try:
        import selenium  # noqa: F401  (only whether it is there)
    except ImportError:
        py = venv_python(args.venv)
        if not os.path.exists(py) or os.path.realpath(sys.prefix) == os.path.realpath(args.venv):
            raise Failure(f"selenium is not installed; run `python3 {sys.argv[0]} setup`")
        os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])
    lacks = [text for text in missing(args.venv) if "selenium" not in text]
    if lacks:
        raise Failure("missing: " + "; ".join(lacks))
    names = args.scenarios or [name for name, entry in SCENARIOS.items() if entry["enabled"]]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        raise Failure(f"no scenario {', '.join(unknown)} (there are: {', '.join(SCENARIOS)})")
    admin_email = os.environ.get("GSTACKS_ADMIN_EMAIL", "root@example.com")
    admin_password = os.environ.get("GSTACKS_ADMIN_PASSWORD", "root-password-123")
    failed = []

    def overdue(*_):
        raise Failure(f"the scenario took longer than {args.timeout} s")
    signal.signal(signal.SIGALRM, overdue)
    for name in names:
        print(f"scenario {name}: {SCENARIOS[name]['doc']}", flush=True)
        world = World(args.base_url, admin_email, admin_password, args.screenshots)
        started = time.monotonic()
        signal.alarm(args.timeout)
        try:
            SCENARIOS[name]["run"](world)
            print(f"scenario {name}: passed in {time.monotonic() - started:.1f} s", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported with the page it happened on
            failed.append(name)
            print(f"scenario {name}: FAILED after {time.monotonic() - started:.1f} s: {error}", flush=True)
            report_failure(world, name, args.screenshots)
            traceback.print_exc(file=sys.stdout)
        finally:
            signal.alarm(0)
            world.close()
    if failed:
        print(f"{len(failed)} of {len(names)} scenarios failed: {', '.join(failed)}", flush=True)
        return 1
    return 0


def report_failure(world, name, screenshots):
    for driver in world.drivers:
        try:
            print(f"  on {driver.driver.current_url} ({driver.driver.title!r}):", flush=True)
            print("    " + driver.body()[:1500].replace("\n", "\n    "), flush=True)
            if screenshots:
                os.makedirs(screenshots, exist_ok=True)
                path = os.path.join(screenshots, f"FAILED-{name}.png")
                driver.driver.save_screenshot(path)
                print(f"  screenshot: {path}", flush=True)
        except Exception as error:  # noqa: BLE001
            print(f"  (could not read the page: {error})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", default=DEFAULT_VENV)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup")
    commands.add_parser("check")
    listing = commands.add_parser("list")
    listing.add_argument("--all", action="store_true", help="also the scenarios waiting for pages, with why")
    listing.add_argument("--json", action="store_true", help="the enabled ones as JSON: name, needsSandboxes, needsExtension")
    run = commands.add_parser("run")
    run.add_argument("--base-url", required=True)
    run.add_argument("--screenshots", default=os.environ.get("GSTACKS_SCREENSHOT_DIR"), help="where the PNGs go (default: none taken)")
    run.add_argument("--timeout", type=int, default=300, help="seconds one scenario may take [300]")
    run.add_argument("scenarios", nargs="*", help="names (default: every enabled one)")
    args = parser.parse_args()
    try:
        return {"setup": cmd_setup, "check": cmd_check, "list": cmd_list, "run": cmd_run}[args.command](args)
    except Failure as failure:
        print(f"console_browser: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
