"""The console's browser scenarios, run by scripts/lib/console_browser.py (which documents how): each is a function of
a `World` (console_browser.World: the server, fresh users, workspaces and tenants made over the API, headless
browsers, screenshots) that does in the browser what a person would, and raises on the first thing that is not as
it should be. A scenario makes its own users, so scenarios are independent of each other and of their order.

Add one with @scenario("name"); one that needs pages not built yet is registered with `waiting_for=` (disabled, listed
by `console_browser.py list --all`) until they exist.
"""

import json
import os
import tempfile
import urllib.parse

SCENARIOS = {}


def scenario(name, needs_sandboxes=False, needs_extension=False, waiting_for=None):
    """Registers a scenario. `needs_sandboxes`: the server must place sandboxes (an agent, e.g. --embedded-agent).
    `needs_extension`: an extension must be published for every tenant, its key in GSTACKS_BROWSER_EXTENSION (the
    Swift test publishes examples/extensions/http-probe). `waiting_for`: why it is disabled, shown by `list --all`."""
    def register(function):
        SCENARIOS[name] = {"run": function, "enabled": waiting_for is None, "needs_sandboxes": needs_sandboxes,
                           "needs_extension": needs_extension, "waiting_for": waiting_for,
                           "doc": (function.__doc__ or "").strip().split("\n")[0]}
        return function
    return register


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


@scenario("sign-in")
def sign_in(world):
    """Sign in through the form: a wrong password is refused on the form, the right one lands on the workspace home."""
    ada = world.user("Ada")
    page = world.browser()
    page.open("/admin/t/anything")
    expect(page.path.startswith("/admin/sign-in?next="), f"a page without a session asks to sign in, keeping it: {page.path}")
    expect(page.heading() == "Sign in", f"sign-in heading: {page.heading()!r}")
    page.shot("sign-in")
    page.open("/admin")
    page.fill("#email", ada.email)
    page.fill("#password", "not-the-password")
    page.click("form[action='/admin/sign-in'] button[type=submit]")
    world.step("a wrong password")
    expect(page.path.startswith("/admin/sign-in"), f"a wrong password stays on the form: {page.path}")
    expect(page.has("[role=alert]"), "a wrong password shows why")
    expect(page.driver.find_element("css selector", "#email").get_attribute("value") == ada.email, "the email is kept")
    page.shot("sign-in-refused")
    page.fill("#password", world.password)
    page.click("form[action='/admin/sign-in'] button[type=submit]")
    world.step("the right password")
    expect(page.path == "/admin", f"signed in, the workspace home: {page.path}")
    expect(page.text(".account .who") == "Ada", f"the top bar names who is signed in: {page.text('.account .who')!r}")
    expect(page.cookie("globalstacks_session"), "a session cookie")
    page.shot("workspace-home-empty")
    # Signed in, the sign-in page goes where `next` says.
    page.open("/admin/sign-in?next=/admin/workspace/tenants")
    expect(page.path == "/admin/workspace/tenants", f"signed in, sign-in forwards to next: {page.path}")
    page.click_button("Sign out", within="header")
    expect(page.path == "/admin/sign-in", f"signed out: {page.path}")
    page.open("/admin")
    expect(page.path.startswith("/admin/sign-in"), f"after signing out, pages ask to sign in again: {page.path}")


@scenario("workspace-chooser")
def workspace_chooser(world):
    """The workspace chooser lists every workspace with the current one marked; choosing one goes where it leads."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    world.tenant(ada, "Production")
    world.tenant(ada, "Staging")
    page = world.browser()
    page.sign_in(ada.email)
    page.open("/admin/choose-workspace")
    expect(page.heading() == "Choose an organization", f"chooser heading: {page.heading()!r}")
    choices = page.texts("main .choices button")
    expect(len(choices) == 2 and any("Acme Robotics" in c for c in choices), f"both workspaces: {choices}")
    expect(sum("current" in c for c in choices) == 1, f"one is current: {choices}")
    context = page.envelope("/admin/choose-workspace")
    expect(context["pageCategory"] == "workspace_chooser_exception", f"the chooser's category: {context}")
    page.shot("choose-workspace")
    page.click_button("Acme Robotics")
    world.step("chose Acme Robotics (two tenants)")
    expect(page.path == "/admin/choose-tenant", f"a workspace with several tenants leads to the tenant chooser: {page.path}")
    expect(page.driver.find_element("css selector", "#workspace-switch option:checked").text == "Acme Robotics", "the top bar shows it")
    page.open("/admin/choose-workspace")
    page.click_button(world.personal_workspace(ada)["name"])
    world.step("chose the personal workspace (no tenants)")
    expect(page.path == "/admin/workspace/tenants", f"a workspace without tenants leads to the managed-tenants page: {page.path}")


@scenario("switch-workspace")
def switch_workspace(world):
    """The top bar's workspace select switches on change with JavaScript, and with its button without."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    production = world.tenant(ada, "Production")
    world.workspace(ada, "Globex")
    page = world.browser()
    page.sign_in(ada.email)
    from selenium.webdriver.support.ui import Select
    select = Select(page.driver.find_element("css selector", "#workspace-switch"))
    expect([o.text for o in select.options].count("Acme Robotics") == 1, f"the select lists the workspaces: {[o.text for o in select.options]}")
    page.submitting(lambda: select.select_by_visible_text("Acme Robotics"))
    world.step("switched to Acme Robotics by choosing it (JavaScript submits)")
    expect(page.path == f"/admin/t/{production['externalId']}", f"its only tenant's dashboard: {page.path}")
    expect(page.envelope("/admin")["workspace"]["name"] == "Acme Robotics", "the session's workspace is Acme Robotics")

    plain = world.browser(javascript=False)
    plain.sign_in(ada.email)
    select = Select(plain.driver.find_element("css selector", "#workspace-switch"))
    select.select_by_visible_text("Globex")
    expect(plain.path in ("/admin", f"/admin/t/{production['externalId']}"), f"without JavaScript choosing alone does not leave: {plain.path}")
    plain.click_button("Switch", within="header")
    world.step("switched to Globex with the button (no JavaScript)")
    expect(plain.path == "/admin/workspace/tenants", f"Globex has no tenants: the managed-tenants page: {plain.path}")
    expect(plain.heading() == "Tenants of Globex", f"heading: {plain.heading()!r}")
    plain.shot("managed-tenants-empty")


@scenario("select-tenant", needs_sandboxes=True)
def select_tenant(world):
    """Choose a tenant in the chooser, see its dashboard (sandboxes, agents, clusters, quotas), come back to it remembered."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    production = world.tenant(ada, "Production")
    world.tenant(ada, "Staging")
    ada.call("POST", f"/v1/tenants/{production['id']}/activate")
    made = world.make_sandboxes(ada, 3)
    page = world.browser()
    page.sign_in(ada.email, workspace="Acme Robotics")
    page.open("/admin")
    expect(page.heading() == "Acme Robotics", f"the workspace home: {page.heading()!r}")
    page.open("/admin/choose-tenant")
    expect(page.heading() == "Choose a tenant", f"the tenant chooser: {page.heading()!r}")
    expect(len(page.texts("main .choices button")) == 2, f"two tenants to choose from: {page.texts('main .choices button')}")
    page.shot("choose-tenant")
    page.click_button("Production")
    world.step("chose Production")
    expect(page.path == f"/admin/t/{production['externalId']}", f"its dashboard: {page.path}")
    expect(page.heading().startswith("Production"), f"dashboard heading: {page.heading()!r}")
    expect("Production" in page.text(".tenant-context"), f"the top bar shows the tenant: {page.text('.tenant-context')!r}")
    rows = page.texts("table[data-live] tbody tr")
    expect(len(rows) == len(made), f"the dashboard lists the tenant's {len(made)} sandboxes: {rows}")
    expect(page.texts("#quota-heading") == ["Quota use"], "quota use is shown")
    context = page.envelope(f"/admin/t/{production['externalId']}")
    expect((context["state"], context["tenantSource"]) == ("tenant_scoped", "route"), f"tenant-bound: {context}")
    page.shot("tenant-dashboard")
    # The live table refreshes from sandboxes.json: its states are the API's.
    status, body = page.fetch(f"/admin/t/{production['externalId']}/sandboxes.json")
    expect(status == 200 and len(json.loads(body)["sandboxes"]) == len(made), f"the live states: {status} {body[:200]}")
    # Back on the workspace home, the selected tenant is remembered there.
    page.open("/admin")
    context = page.envelope("/admin")
    expect((context["tenant"] or {}).get("externalId") == production["externalId"] and context["tenantSource"] in ("remembered", "session"),
           f"the home page remembers the tenant: {context}")
    expect(page.has("#in-context"), "the home page says which tenant is in context")
    page.shot("workspace-home")


@scenario("clear-tenant")
def clear_tenant(world):
    """Clearing the tenant on a tenant page lands on the managed-tenants page; on /admin it stays on /admin, tenantless."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    production = world.tenant(ada, "Production")
    world.tenant(ada, "Staging")
    page = world.browser()
    page.sign_in(ada.email, workspace="Acme Robotics")
    page.click_button("Production")
    expect(page.path == f"/admin/t/{production['externalId']}", f"selected: {page.path}")
    page.click_button("Clear tenant", within="header")
    world.step("cleared the tenant on its dashboard")
    expect(page.path == "/admin/workspace/tenants", f"a tenant page falls back to the managed-tenants page: {page.path}")
    expect(not page.has(".tenant-context .tenant-badge"), "no tenant in the top bar")
    page.shot("managed-tenants")
    page.open("/admin/choose-tenant")
    page.click_button("Production")
    page.open("/admin")
    expect(page.has(".tenant-context .tenant-badge"), "the remembered tenant is back in context on /admin")
    page.click_button("Clear tenant", within="header")
    world.step("cleared the tenant on /admin")
    expect(page.path == "/admin", f"/admin stays /admin: {page.path}")
    expect(not page.has(".tenant-context .tenant-badge") and not page.has("#in-context"), "tenantless")
    context = page.envelope("/admin")
    expect((context["state"], context["tenant"]) == ("tenantless_workspace", None), f"tenantless: {context}")


@scenario("query-hint")
def query_hint(world):
    """`/admin?tenant=<externalId>` puts that tenant in context; a hint naming no tenant of the workspace is 404."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    world.tenant(ada, "Production")
    staging = world.tenant(ada, "Staging")
    page = world.browser()
    page.sign_in(ada.email, workspace="Acme Robotics")
    page.open(f"/admin?tenant={staging['externalId']}")
    expect(page.text("#in-context") == "In context: Staging", f"the hinted tenant is in context: {page.texts('#in-context')}")
    context = page.envelope(f"/admin?tenant={staging['externalId']}")
    expect((context["tenantSource"], context["requestedContext"]["source"]) == ("query_hint", "query_hint"), f"from the hint: {context}")
    page.shot("workspace-home-query-hint")
    page.open("/admin?tenant=no-such-tenant")
    world.step("a hint naming no tenant")
    expect(page.heading() == "Not Found", f"404 page: {page.heading()!r}")
    status, _ = page.fetch("/admin?tenant=no-such-tenant")
    expect(status == 404, f"answered 404: {status}")


@scenario("foreign-tenant")
def foreign_tenant(world):
    """A tenant of another workspace (one's own other workspace, or someone else's) in /admin/t/{id} is a 404 page."""
    ada, bo = world.user("Ada"), world.user("Bo")
    world.workspace(ada, "Acme Robotics")
    world.tenant(ada, "Production")
    world.workspace(ada, "Globex")
    globex = world.tenant(ada, "Globex main")
    world.workspace(bo, "Initech")
    initech = world.tenant(bo, "Initech prod")
    page = world.browser()
    page.sign_in(ada.email, workspace="Acme Robotics")
    for tenant, whose in ((globex, "Ada's other workspace"), (initech, "Bo's workspace")):
        page.open(f"/admin/t/{tenant['externalId']}")
        world.step(f"/admin/t/ of a tenant in {whose}")
        expect(page.heading() == "Not Found", f"{whose}: a 404 page, not the tenant: {page.heading()!r} {page.path}")
        expect(tenant["name"] not in page.body(), f"the page does not name the tenant of {whose}")
        status, _ = page.fetch(f"/admin/t/{tenant['externalId']}")
        expect(status == 404, f"{whose}: 404, got {status}")
    page.shot("not-found")
    expect(page.envelope("/admin")["workspace"]["name"] == "Acme Robotics", "the workspace did not change")


@scenario("removed-from-workspace")
def removed_from_workspace(world):
    """A member removed from their active workspace is sent to the chooser with the page they wanted kept; after
    choosing a workspace they land on that page."""
    owner, bo = world.user("Olive"), world.user("Bo")
    world.workspace(owner, "Acme Robotics")
    world.tenant(owner, "Production")
    world.join(owner, bo)
    page = world.browser()
    page.sign_in(bo.email, workspace="Acme Robotics")
    expect(page.envelope("/admin")["workspace"]["name"] == "Acme Robotics", "Bo works in Acme Robotics")
    owner.call("DELETE", f"/v1/organizations/current/members/{bo.id}")
    world.step("the owner removed Bo from Acme Robotics")
    page.open("/admin/workspace/tenants")
    expect(page.path == "/admin/choose-workspace?next=/admin/workspace/tenants",
           f"recovered to the chooser, keeping the page: {page.path}")
    expect(page.has("main .notice"), "the chooser says why")
    expect("Acme Robotics" not in " ".join(page.texts("main .choices button")), "the lost workspace is not offered")
    page.shot("choose-workspace-recovery")
    page.click_button(world.personal_workspace(bo)["name"])
    world.step("chose Bo's own workspace")
    expect(page.path == "/admin/workspace/tenants", f"landed on the page Bo wanted: {page.path}")


@scenario("open-redirect")
def open_redirect(world):
    """`next` naming another origin (`https://evil.example`, `//evil.example`, `/\\evil.example`) never leaves this one."""
    ada = world.user("Ada")
    page = world.browser()
    origin = world.base
    for target in ("https://evil.example", "//evil.example", "/\\evil.example", "/admin//evil.example"):
        page.driver.delete_all_cookies()
        page.open("/admin/sign-in?next=" + urllib.parse.quote(target, safe=""))
        page.fill("#email", ada.email)
        page.fill("#password", world.password)
        page.click("form[action='/admin/sign-in'] button[type=submit]")
        world.step(f"signed in with next={target}")
        expect(page.origin == origin and page.path == "/admin", f"next={target} stayed here: {page.driver.current_url}")
        page.open("/admin/sign-in?next=" + urllib.parse.quote(target, safe=""))
        expect(page.origin == origin and page.path == "/admin", f"signed in, next={target} stayed here: {page.driver.current_url}")
        page.open("/admin/choose-workspace?next=" + urllib.parse.quote(target, safe=""))
        page.click_button(world.personal_workspace(ada)["name"])
        expect(page.origin == origin and page.path.startswith("/admin"), f"the chooser's next={target} stayed here: {page.driver.current_url}")


@scenario("csrf")
def csrf(world):
    """A form post without the CSRF token (built in the page, or sent with the cookie from outside) is refused 403."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    production = world.tenant(ada, "Production")
    world.tenant(ada, "Staging")
    page = world.browser()
    page.sign_in(ada.email, workspace="Acme Robotics")
    number = page.driver.find_element("css selector", "main .choices input[name=tenant_id]").get_attribute("value")
    # A form the page builds without the token, submitted as a browser submits any form.
    page.submitting(lambda: page.driver.execute_script("""
        const form = document.createElement("form");
        form.method = "post"; form.action = "/admin/select-tenant";
        const field = document.createElement("input");
        field.type = "hidden"; field.name = "tenant_id"; field.value = arguments[0];
        form.appendChild(field); document.body.appendChild(form); form.submit();
    """, number))
    world.step("posted select-tenant without a token from the page")
    expect(page.heading() == "Forbidden", f"refused: {page.heading()!r}")
    page.shot("forbidden")
    status, _ = page.fetch("/admin/select-tenant", method="POST", accept="text/html", form={"tenant_id": number, "csrf_token": "forged"})
    expect(status == 403, f"a wrong token from the page: 403, got {status}")
    cookie = page.cookie("globalstacks_session")
    status, _ = world.post_form("/admin/select-tenant", {"tenant_id": number}, cookie)
    expect(status == 403, f"no token, with the session cookie from outside: 403, got {status}")
    page.open("/admin")
    token = page.driver.find_element("css selector", "meta[name=csrf-token]").get_attribute("content")
    status, _ = world.post_form("/admin/select-tenant", {"tenant_id": number, "csrf_token": token}, cookie, origin="https://evil.example")
    expect(status == 403, f"the right token from another origin: 403, got {status}")
    expect(page.envelope("/admin")["tenant"] is None, "no tenant was selected by any of them")
    status, _ = world.post_form("/admin/select-tenant", {"tenant_id": number, "csrf_token": token}, cookie)
    expect(status == 302, f"with its token the same post is taken: {status}")
    expect(page.envelope("/admin")["tenant"]["externalId"] == production["externalId"], "and selects the tenant")


# -- the whole first hour ------------------------------------------------------------------------------------------

@scenario("full-flow", needs_sandboxes=True, needs_extension=True)
def full_flow(world):
    """Sign in, choose a tenant, create a sandbox, run a command in its terminal, upload a file, install an extension
    through the consent screen and invoke it."""
    ada = world.user("Ada")
    world.workspace(ada, "Acme Robotics")
    production = world.tenant(ada, "Production")
    world.tenant(ada, "Staging")
    page = world.browser()
    page.sign_in(ada.email, workspace="Acme Robotics")
    page.click_button("Production")
    base = f"/admin/t/{production['externalId']}"
    expect(page.path == base, f"the tenant's dashboard: {page.path}")

    # A sandbox, from the dashboard's "New sandbox" form.
    page.click(f"a[href='{base}/sandboxes/new']")
    page.shot("sandbox-new")
    page.fill("#sandbox-name", "workbench")
    page.fill("#sandbox-command", "sleep infinity")
    page.click("#create-sandbox")
    world.step("created a sandbox")
    expect(page.path.startswith(base + "/sandboxes/"), f"the new sandbox's page: {page.path}")
    sandbox_page = page.path.split("?")[0]
    wait_for_text(page, "#sandbox-state", "running")  # the live table updates it
    page.shot("sandbox-detail")

    # A command in its terminal: xterm.js when Debian's libjs-xterm is installed, else the line-mode terminal.
    page.click("#sandbox-terminal-link")
    wait_for_text(page, "#terminal-status", "Connected")
    type_in_terminal(page, "echo hello-from-the-$((6*7))-terminal")
    wait_for_text(page, "#terminal, #terminal-output", "hello-from-the-42-terminal")
    world.step("ran a command in the terminal")
    page.shot("sandbox-terminal")

    # A file, uploaded on its files page.
    page.open(sandbox_page + "/files")
    upload = os.path.join(tempfile.mkdtemp(prefix="gstacks-upload-"), "notes.txt")
    with open(upload, "w") as handle:
        handle.write("uploaded from the browser\n")
    page.driver.find_element("css selector", "#upload-file").send_keys(upload)
    page.click("#upload-submit")
    world.step("uploaded notes.txt")
    expect(page.has("#sandbox-files tr[data-file='notes.txt']"), f"the uploaded file is listed: {page.texts('#sandbox-files td')}")
    page.shot("sandbox-files")

    # An extension (published for every tenant before the scenario): the catalog, its consent screen, the install
    # with a secret setting, an invocation on the cluster the sandbox runs on.
    key = os.environ["GSTACKS_BROWSER_EXTENSION"]
    page.open(base + "/marketplace")
    page.shot("marketplace")
    page.click(f"[id='consent-link-{key}']")
    expect(page.has("#consent-permissions") and page.has("#consent-manifest-digest"), "the consent screen: permissions and digests")
    page.shot("consent")
    page.click("#install-button")
    world.step(f"installed {key}")
    expect(page.path.startswith(f"{base}/installs/{key}"), f"the install's page: {page.path}")
    wait_for(page, "#settings-form [id='setting-token']")
    page.fill("#settings-form [id='setting-token']", "browser-secret-token")
    page.click("#settings-save")
    expect(page.has("#settings-saved"), f"the settings were saved: {page.texts('#settings-error')}")
    expect("browser-secret-token" not in page.driver.page_source, "a secret is never shown back")
    page.shot("install")
    from selenium.webdriver.support.ui import Select
    Select(page.driver.find_element("css selector", "#invoke-operation")).select_by_value("echo")
    page.fill("#invoke-input", json.dumps({"from": "the-browser"}))
    page.click("#invoke-button")
    wait_for_text(page, "#invoke-result, #invoke-error", "the-browser", seconds=90)
    expect(page.has("#invoke-outputs"), f"the invocation succeeded: {page.texts('#invoke-error')}")
    world.step("invoked it")
    page.shot("invocation")


def wait_for(page, selector, seconds=30):
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(page.driver, seconds).until(lambda _: page.has(selector))


def wait_for_text(page, selector, text, seconds=30):
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(page.driver, seconds).until(lambda _: text in " ".join(page.texts(selector)))


def type_in_terminal(page, line):
    """Types a line into whichever terminal the page shows (xterm.js's input, or the line-mode form's field)."""
    from selenium.webdriver.common.keys import Keys
    target = page.driver.find_element("css selector", "#terminal .xterm-helper-textarea, #terminal-form:not([hidden]) #terminal-input")
    target.send_keys(line + Keys.ENTER)
