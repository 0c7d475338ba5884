"""Console page-time benchmark against one running `gstacks server` (see scripts/benchmark-console.sh).

Usage: console_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, GS_PID, BIN, WORK, BENCH_*)
       console_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure seeds through the real API and prints one JSON object with the figures:
  seed      a byo cluster with a real `gstacks agent --driver noop` (it takes sandboxes and reports them running
            without starting processes, so 100 sandboxes cost the machine nothing while measuring), then
            BENCH_SANDBOXES sandboxes in the signed-in admin's active tenant, waited for until all are running, and a
            second tenant in the workspace so that the tenant chooser has a choice.
  pages     after a warm-up, BENCH_RUNS runs of BENCH_REQUESTS sequential requests per page over one keep-alive
            connection, interleaved per run, each asking for HTML with the admin's session cookie (the console's
            session is the API's): every console page there is now, the dashboard's live poll, the sign-in page
            (without the cookie), and as references in the same run GET /v1/sandboxes (the API listing the same
            sandboxes) and GET /v1/auth/session (no database read). Every answer must be 200 (a redirect fails the
            run); the dashboard must list every sandbox. Latency = request written → last byte of the body read;
            p50/p99 per run, medians over the runs, and the server's CPU time per request (/proc, the server only).
"""
import http.client, json, os, statistics, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import (API, Timer, cpu_seconds, approve_when_online, cluster_with_token, env, percentile, print_and_record,  # noqa: E402
                              run, section_lines, start_agent, table_row)

TARGET_P99_MS = 20.0
TARGET_SANDBOXES = 100

def log(message):
    print(f"[benchmark-console] {message}", file=sys.stderr, flush=True)

def seed(api, engine, count):
    os.environ["BENCH_ENGINE"] = engine  # start_agent keeps each engine's agent apart
    cluster, token = cluster_with_token(api, "bench-console")
    agent = start_agent(env("WORK"), "bench-console", token, "noop", ["--max-sessions", "100000", "--cpu", "1000", "--memory", "1Ti"])
    approve_when_online(api, cluster, "bench-console")
    for index in range(count):
        api.call("POST", "/v1/sandboxes", {"name": f"worker-{index + 1:03d}", "command": ["/bin/sleep", "infinity"], "clusterId": cluster,
                                           "resources": {"cpu": "100m", "memory": "64Mi"}, "labels": {"team": "bench"}}, expect=(201,))
    deadline = time.monotonic() + 120
    while True:
        states = [item["state"] for item in api.call("GET", "/v1/sandboxes")["items"]]
        if len(states) == count and all(state == "running" for state in states):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"not all {count} sandboxes are running after 120 s: {sorted(set(states))}")
        time.sleep(0.2)
    return agent

def measure(engine):
    count = int(env("BENCH_SANDBOXES", str(TARGET_SANDBOXES)))
    requests = int(env("BENCH_REQUESTS", "300"))
    runs = int(env("BENCH_RUNS", "3"))
    base, cookie, pid = env("GS_BASE_URL"), env("GS_COOKIE"), int(env("GS_PID"))
    api = API(base, cookie)
    tenant = next(t for t in api.call("GET", "/v1/tenants")["items"] if t["slug"] == f"bench-{engine}")
    external = api.call("GET", f"/v1/tenants/{tenant['id']}")["externalId"]
    api.call("POST", "/v1/tenants", {"name": "Bench staging", "slug": f"bench-staging-{engine}"}, expect=(201,))

    log(f"{engine}: seeding {count} sandboxes on a noop agent")
    started = time.monotonic()
    agent = seed(api, engine, count)
    seed_s = time.monotonic() - started
    try:
        result = measure_pages(engine, base, cookie, pid, external, count, requests, runs)
    finally:
        agent.terminate()
        agent.wait(10)
    result.update({"sandboxes": count, "requests": requests, "runs": runs, "seed_s": seed_s})
    print(json.dumps(result))

def measure_pages(engine, base, cookie, pid, external, count, requests, runs):
    def rows(expected):
        def check(body):
            found = body.count(b"data-sandbox=")
            if found != expected:
                raise RuntimeError(f"the dashboard lists {found} sandboxes, not {expected}")
        return check

    def items(expected):
        def check(body):
            listing = json.loads(body)
            found = len(listing["items"] if "items" in listing else listing["sandboxes"])
            if found != expected:
                raise RuntimeError(f"the listing has {found} sandboxes, not {expected}")
        return check

    html, signed_out, data = Timer(base, cookie, "text/html"), Timer(base, None, "text/html"), Timer(base, cookie, "application/json")
    # (key, label, timer, path, check): the console's pages first, then the references.
    pages = [
        ("home", "`GET /admin` (workspace home, remembered tenant)", html, "/admin", None),
        ("choose-workspace", "`GET /admin/choose-workspace`", html, "/admin/choose-workspace", None),
        ("choose-tenant", "`GET /admin/choose-tenant`", html, "/admin/choose-tenant", None),
        ("dashboard", f"`GET /admin/t/{{ext}}` (dashboard, {count} sandboxes)", html, f"/admin/t/{external}", rows(count)),
        ("live", "`GET /admin/t/{ext}/sandboxes.json` (the dashboard's live poll)", data, f"/admin/t/{external}/sandboxes.json", items(count)),
        ("managed-tenants", "`GET /admin/workspace/tenants`", html, "/admin/workspace/tenants", None),
        ("sign-in", "`GET /admin/sign-in` (no session)", signed_out, "/admin/sign-in", None),
        ("api-sandboxes", f"reference: `GET /v1/sandboxes` (the API, the same {count} sandboxes)", data, "/v1/sandboxes", items(count)),
        ("api-session", "reference: `GET /v1/auth/session` (no database read)", data, "/v1/auth/session", None),
    ]
    sizes = {}
    for key, _, timer, path, check in pages:  # warm-up
        for _ in range(20):
            _, body = timer.get(path)
        if check:
            check(body)
        sizes[key] = len(body)
    figures = {key: {"p50": [], "p99": [], "cpu_us": []} for key, *_ in pages}
    for index in range(runs):
        log(f"{engine}: run {index + 1} of {runs}")
        for key, _, timer, path, check in pages:
            latencies, bodies = [], []
            cpu_before = cpu_seconds(pid)
            for _ in range(requests):
                elapsed, body = timer.get(path)
                latencies.append(elapsed)
                bodies.append(body)
            cpu_after = cpu_seconds(pid)
            if check:
                for body in bodies:
                    check(body)
            figures[key]["p50"].append(percentile(latencies, 50))
            figures[key]["p99"].append(percentile(latencies, 99))
            figures[key]["cpu_us"].append((cpu_after - cpu_before) / requests * 1e6)
    result = {"engine": engine, "pages": [{"key": key, "label": label} for key, label, *_ in pages]}
    for key, values in figures.items():
        result[key] = {"p50_ms": statistics.median(values["p50"]), "p99_ms": statistics.median(values["p99"]),
                       "p99_runs_ms": values["p99"], "cpu_us": statistics.median(values["cpu_us"]), "bytes": sizes[key]}
    return result

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    first = results[0]
    lines = section_lines("Console pages", "scripts/benchmark-console.sh",
                          f"The site admin's session with {first['sandboxes']} sandboxes in its active tenant (a real `gstacks agent "
                          f"--driver noop` holds them running) and a second tenant in the workspace; {first['runs']} runs of "
                          f"{first['requests']} sequential requests per page over one keep-alive connection (Python `http.client`, "
                          f"on the same cores), interleaved; medians over the runs. CPU is the server process's only.", results)
    row = table_row(lines, results)
    console = [page for page in first["pages"] if not page["key"].startswith("api-")]
    for page in first["pages"]:
        key = page["key"]
        row(page["label"] + ", p50 / p99", lambda r, key=key: f"{r[key]['p50_ms']:.1f} ms / {r[key]['p99_ms']:.1f} ms")
        row("… p99 per run; size; server CPU per request",
            lambda r, key=key: ", ".join(f"{v:.1f}" for v in r[key]["p99_runs_ms"]) + f" ms; {r[key]['bytes'] / 1024:,.1f} KiB; "
                               f"{r[key]['cpu_us'] / 1000:.2f} ms")
    row("Seeding (cluster, noop agent, sandboxes created and running)", lambda r: f"{r['seed_s']:.0f} s")

    def verdict(r):
        slowest = max(console, key=lambda page: r[page["key"]]["p99_ms"])
        worst = r[slowest["key"]]["p99_ms"]
        text = ("met" if worst < TARGET_P99_MS else "**not met**") + f" (slowest p99: {worst:.1f} ms, {slowest['label'].split('`')[1]})"
        return text if r["sandboxes"] == TARGET_SANDBOXES else f"{text}, at {r['sandboxes']} sandboxes, not {TARGET_SANDBOXES}"
    row(f"Target: every console page p99 < {TARGET_P99_MS:g} ms with {TARGET_SANDBOXES} sandboxes", verdict)
    print_and_record(lines, "Console pages", "scripts/benchmark-console.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
