"""Agents and sandboxes benchmark against one running `gstacks server` (see scripts/benchmark-agents.sh).

Usage: agents_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, GS_PID, BIN, WORK, BENCH_*)
       agents_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure prints one JSON object with the figures of three phases:
  dispatch  a real `gstacks agent --driver noop`; BENCH_DISPATCH sandboxes created one at a time, each
            waited for until its start command is acknowledged; latency = the agent's ack as the server
            stamped it (ms) minus the client's time just before POST /v1/sandboxes (same clock). Reference:
            the POST's own response time.
  startup   a real `gstacks agent --driver process` (bubblewrap when installed); BENCH_STARTUP sandboxes
            running `sleep 600`, one at a time; latency = the time the server stamped `running` minus
            the client's time before the POST. Reference: spawning the same bubblewrap sandbox running
            /bin/true to completion, from Python.
  fleet     BENCH_AGENTS agents enrolled through POST /v1/agents/register, then connected over WebSocket
            from this process, each sending a heartbeat every BENCH_HEARTBEAT s (random phase); after all
            are connected, BENCH_STEADY seconds of steady state sampled every second from /metrics
            (gstacks_agents_connected, gstacks_agent_heartbeat_lag_seconds, gstacks_agent_heartbeats_recorded_total)
            and the server's resident memory (VmRSS).
"""
import asyncio, concurrent.futures, http.client, json, os, random, re, resource, shutil, statistics, subprocess, sys, threading, time, urllib.parse

def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit(f"agents_benchmark: {name} is not set")
    return value

def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

class API:
    """Keep-alive HTTP to the server, one connection per thread."""
    def __init__(self, base, cookie=None):
        self.url = urllib.parse.urlparse(base)
        self.cookie = cookie
        self.local = threading.local()

    def call(self, method, path, body=None, expect=(200,), bearer=None):
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        data = json.dumps(body).encode() if body is not None else None
        try:
            self.local.conn.request(method, path, body=data, headers=headers)
            response = self.local.conn.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError):
            self.local.conn.close()
            del self.local.conn
            raise
        if response.status not in expect:
            raise RuntimeError(f"{method} {path} answered {response.status}: {payload[:300]!r}")
        return json.loads(payload) if payload else {}

def iso_ms(text):
    """Milliseconds since 1970 from the API's date-time."""
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

METRIC = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)', re.M)

def metrics(api):
    conn = http.client.HTTPConnection(api.url.hostname, api.url.port, timeout=30)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    values = {}
    for name, value in METRIC.findall(text):
        values[name] = values.get(name, 0.0) + float(value)
    return values

def start_agent(work, name, token, driver, extra=()):
    # Per engine: an agent keeps its key in its directory, and each engine's server knows only its own agents.
    directory = os.path.join(work, os.environ["BENCH_ENGINE"], name)
    os.makedirs(directory, exist_ok=True)
    log = open(os.path.join(directory, "agent.log"), "w")
    process = subprocess.Popen(
        [env("BIN"), "agent", "--url", env("GS_BASE_URL"), "--name", name, "--credentials-file", os.path.join(directory, "agent.json"),
         "--driver", driver, "--log-level", "warning", *extra],
        env={**os.environ, "GSTACKS_AGENT_TOKEN": token}, stdout=log, stderr=subprocess.STDOUT)
    return process

def approve_when_online(api, cluster, name):
    for _ in range(300):
        agents = api.call("GET", f"/v1/agents?clusterId={cluster}")["items"]
        found = [a for a in agents if a["agentId"] == name and a["status"] == "online"]
        if found:
            api.call("POST", f"/v1/agents/{found[0]['id']}/approve")
            return found[0]["id"]
        time.sleep(0.1)
    raise RuntimeError(f"agent {name} did not come online")

def cluster_with_token(api, name):
    cluster = api.call("POST", "/v1/clusters", {"name": name, "ownership": "byo"}, expect=(201,))["id"]
    token = api.call("POST", f"/v1/clusters/{cluster}/provisioning-tokens", {"singleUse": False, "expiresInHours": 24}, expect=(201,))["token"]
    return cluster, token

def phase_dispatch(api, work):
    cluster, token = cluster_with_token(api, "bench-noop")
    agent = start_agent(work, "bench-noop", token, "noop", ["--max-sessions", "100000", "--cpu", "1000", "--memory", "1Ti"])
    try:
        approve_when_online(api, cluster, "bench-noop")
        latencies, responses = [], []
        for index in range(int(env("BENCH_DISPATCH", "300")) + 20):
            started = time.time() * 1000
            sandbox = api.call("POST", "/v1/sandboxes", {"command": ["noop"], "resources": {"cpu": "10m", "memory": "16Mi"}, "clusterId": cluster}, expect=(201,))
            answered = time.time() * 1000
            for _ in range(5000):
                command = api.call("GET", f"/v1/sandboxes/{sandbox['id']}/commands")["items"][0]
                if command.get("acknowledgedAt"):
                    break
                time.sleep(0.001)
            else:
                raise RuntimeError("a start command was not acknowledged within 5 s")
            if index >= 20:  # warm-up
                latencies.append(iso_ms(command["acknowledgedAt"]) - started)
                responses.append(answered - started)
        return {"count": len(latencies), "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                "post_p50_ms": percentile(responses, 50), "post_p99_ms": percentile(responses, 99)}
    finally:
        agent.terminate()
        agent.wait(10)

def phase_startup(api, work):
    cluster, token = cluster_with_token(api, "bench-process")
    agent = start_agent(work, "bench-process", token, "process", ["--max-sessions", "64", "--memory", "32Gi"])
    bwrap = shutil.which("bwrap")
    try:
        approve_when_online(api, cluster, "bench-process")
        latencies, ids = [], []
        for index in range(int(env("BENCH_STARTUP", "40")) + 5):
            started = time.time() * 1000
            sandbox = api.call("POST", "/v1/sandboxes", {"command": ["sleep", "600"], "resources": {"cpu": "100m", "memory": "64Mi"}, "clusterId": cluster}, expect=(201,))
            ids.append(sandbox["id"])
            for _ in range(10000):
                current = api.call("GET", f"/v1/sandboxes/{sandbox['id']}")
                if current["state"] == "running":
                    break
                if current["state"] == "failed":
                    raise RuntimeError(f"sandbox failed: {current.get('lastError')}")
                time.sleep(0.002)
            if index >= 5:
                latencies.append(iso_ms(current["stateChangedAt"]) - started)
            api.call("POST", f"/v1/sandboxes/{sandbox['id']}/stop", expect=(202,))
        # The reference: the same confinement running /bin/true, spawned and waited for.
        reference = []
        if bwrap:
            scratch = os.path.join(work, "bwrap-reference")
            os.makedirs(scratch, exist_ok=True)
            argv = [bwrap, "--unshare-all", "--die-with-parent", "--uid", "65534", "--gid", "65534", "--ro-bind", "/usr", "/usr"]
            for path in ["/bin", "/sbin", "/lib", "/lib64", "/lib32"]:
                argv += ["--ro-bind-try", path, path]
            argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", scratch, "/workspace", "--chdir", "/workspace", "--", "/bin/true"]
            for _ in range(20):
                t0 = time.perf_counter()
                subprocess.run(argv, check=True)
                reference.append((time.perf_counter() - t0) * 1000)
        return {"count": len(latencies), "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                "isolation": "bubblewrap" if bwrap else "plain process (bubblewrap not installed)",
                "reference_p50_ms": percentile(reference, 50) if reference else None}
    finally:
        agent.terminate()
        agent.wait(15)

def phase_fleet(api, work, pid):
    import websockets
    count = int(env("BENCH_AGENTS", "10000"))
    interval = float(env("BENCH_HEARTBEAT", "10"))
    steady = int(env("BENCH_STEADY", "40"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    cluster, token = cluster_with_token(api, "bench-fleet")
    capacity = {"maxSessions": 8, "cpu": "4", "memory": "8Gi"}

    def enroll(index):
        body = {"agentId": f"sim-{index:05d}", "platform": "process", "capacity": capacity, "capabilities": ["process"]}
        return api.call("POST", "/v1/agents/register", body, expect=(201,), bearer=token)["apiKey"]
    rss_idle = rss_mib(pid)
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        keys = list(pool.map(enroll, range(count)))
    enroll_s = time.monotonic() - t0

    url = env("GS_BASE_URL").replace("http://", "ws://") + "/v1/agents/connect"
    sent = [0]
    failures = []

    async def agent(key, ready):
        try:
            async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {key}"}, max_size=262144,
                                          ping_interval=None, open_timeout=60) as socket:
                ready.release()
                await asyncio.sleep(random.uniform(0, interval))
                while True:
                    message = {"type": "heartbeat", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "payload": {"status": "online", "activeSessions": 0}}
                    await socket.send(json.dumps(message))
                    sent[0] += 1
                    try:
                        await asyncio.wait_for(socket.recv(), timeout=interval)  # commands/pings: none expected
                    except asyncio.TimeoutError:
                        pass
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 — counted and reported
            failures.append(repr(error))
            ready.release()

    async def run():
        ready = asyncio.Semaphore(0)
        tasks = []
        t_connect = time.monotonic()
        for index, key in enumerate(keys):
            tasks.append(asyncio.create_task(agent(key, ready)))
            if index % 200 == 199:
                await asyncio.sleep(0.05)  # a ramp, not a thundering herd
        for _ in keys:
            await ready.acquire()
        connect_s = time.monotonic() - t_connect
        await asyncio.sleep(interval + 2)  # every agent has sent a heartbeat
        loop = asyncio.get_running_loop()
        samples = []
        first = await loop.run_in_executor(None, metrics, api)
        sent_first = sent[0]
        for _ in range(steady):
            await asyncio.sleep(1)
            values = await loop.run_in_executor(None, metrics, api)
            samples.append((values.get("gstacks_agents_connected", 0), values.get("gstacks_agent_heartbeat_lag_seconds", 0), rss_mib(pid)))
        last = await loop.run_in_executor(None, metrics, api)
        sent_window = sent[0] - sent_first
        recorded = last.get("gstacks_agent_heartbeats_recorded_total", 0) - first.get("gstacks_agent_heartbeats_recorded_total", 0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return connect_s, samples, sent_window, recorded

    connect_s, samples, sent_window, recorded = asyncio.run(run())
    lags = [s[1] for s in samples]
    return {"agents": count, "connected_min": min(s[0] for s in samples), "failures": len(failures), "failure_example": failures[:1],
            "enroll_s": enroll_s, "connect_s": connect_s, "rss_idle_mib": rss_idle, "rss_mib": max(s[2] for s in samples),
            "lag_p50_s": statistics.median(lags), "lag_max_s": max(lags), "heartbeats_sent": sent_window, "heartbeats_recorded": recorded,
            "steady_s": len(samples)}

def measure(engine):
    os.environ["BENCH_ENGINE"] = engine
    api = API(env("GS_BASE_URL"), env("GS_COOKIE"))
    work = env("WORK")
    pid = int(env("GS_PID"))
    result = {"engine": engine}
    for name, phase in (("dispatch", phase_dispatch), ("startup", phase_startup)):
        print(f"[benchmark-agents] {engine}: {name}", file=sys.stderr, flush=True)
        result[name] = phase(api, work)
    if os.environ.get("BENCH_SKIP_FLEET") != "1":
        print(f"[benchmark-agents] {engine}: fleet of {env('BENCH_AGENTS', '10000')} agents", file=sys.stderr, flush=True)
        result["fleet"] = phase_fleet(api, work, pid)
    print(json.dumps(result))

def latency_summary(runs, count):
    """Runs ({"ok", "ms"}) as their count, successes, and median / p95 / p99 of the successful ones."""
    times = [r["ms"] for r in runs if r["ok"]]
    return {"runs": count, "succeeded": len(times), "p50_ms": percentile(times, 50) if times else None,
            "p95_ms": percentile(times, 95) if times else None, "p99_ms": percentile(times, 99) if times else None}


def latency_cell(name):
    """A report's cell for the latency summary `name` of an engine's results."""
    def cell(r):
        s = r[name]
        if s["p50_ms"] is None:
            return f"no success of {s['runs']}"
        return f"{s['p50_ms']:.0f} / {s['p95_ms']:.0f} / {s['p99_ms']:.0f} ms, {100 * s['succeeded'] / s['runs']:.0f} % ok"
    return cell


def section_lines(title, default_command, description, results):
    """The head of a results section: title with today's date, what produced it, and the table's header."""
    return [
        f"## {title} ({time.strftime('%Y-%m-%d')})", "",
        f"`{os.environ.get('BENCH_COMMAND', default_command)}` — {os.environ.get('BENCH_MACHINE', '')}; "
        f"commit {os.environ.get('BENCH_GIT', 'unknown')}, {os.environ.get('BIN_DESCRIPTION', 'release build')}. {description}", "",
        "| | " + " | ".join(r["engine"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

def table_row(lines, results):
    """A function adding one row: a label and how each engine's result renders."""
    def row(label, render):
        lines.append(f"| {label} | " + " | ".join(render(r) for r in results) + " |")
    return row

def print_and_record(lines, name, script, before=None):
    """Prints the section; with BENCH_RECORD=1 replaces it between its markers in docs/benchmarks.md (first time:
    before the marker line `before`, or at the end)."""
    lines.append("")
    section = "\n".join(lines)
    print(section)
    if os.environ.get("BENCH_RECORD") != "1":
        return
    doc_path = os.environ.get("BENCH_DOC", "docs/benchmarks.md")
    begin = f"<!-- {name}: written by `{script} --record`, which replaces everything down to the end marker. -->"
    end = f"<!-- End of {name[0].lower() + name[1:]}. -->"
    doc = open(doc_path).read()
    block = f"{begin}\n{section}\n{end}"
    if begin in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    elif before and before in doc:
        doc = doc.replace(before, block + "\n\n" + before, 1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    open(doc_path, "w").write(doc)
    print(f"recorded in {doc_path}", file=sys.stderr)

def run(measure, report, doc):
    if len(sys.argv) == 3 and sys.argv[1] == "measure":
        measure(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        sys.exit(doc)

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Agents and sandboxes", "scripts/benchmark-agents.sh",
                          "One server per engine (PostgreSQL with fsync=on); real `gstacks agent` processes for dispatch and start-up, "
                          "simulated agents (Python websockets) for the fleet.", results)
    row = table_row(lines, results)
    row("Dispatch: API call → agent's `ack`, p50 / p99 (noop driver)", lambda r: f"{r['dispatch']['p50_ms']:.0f} ms / {r['dispatch']['p99_ms']:.0f} ms")
    row("… reference: the POST /v1/sandboxes response alone, p50 / p99", lambda r: f"{r['dispatch']['post_p50_ms']:.1f} ms / {r['dispatch']['post_p99_ms']:.1f} ms")
    row("Sandbox create → `running`, p50 / p99 (process driver)", lambda r: f"{r['startup']['p50_ms']:.0f} ms / {r['startup']['p99_ms']:.0f} ms")
    row("… isolation; reference: the same bubblewrap running /bin/true, p50", lambda r: f"{r['startup']['isolation']}; {r['startup']['reference_p50_ms']:.0f} ms" if r['startup']['reference_p50_ms'] is not None else r['startup']['isolation'])
    if all("fleet" in r for r in results):
        row("Simulated agents held connected (goal 10,000) / connection failures", lambda r: f"{int(r['fleet']['connected_min']):,} of {r['fleet']['agents']:,} / {r['fleet']['failures']}")
        row("Server resident memory: idle → with the fleet", lambda r: f"{r['fleet']['rss_idle_mib']:.0f} MiB → {r['fleet']['rss_mib']:.0f} MiB")
        row("Heartbeat lag (arrival → committed), median / max of 1 s samples", lambda r: f"{r['fleet']['lag_p50_s'] * 1000:.0f} ms / {r['fleet']['lag_max_s'] * 1000:.0f} ms")
        row("Heartbeats sent / recorded in the steady window", lambda r: f"{r['fleet']['heartbeats_sent']:,} / {int(r['fleet']['heartbeats_recorded']):,} in {r['fleet']['steady_s']} s")
        row("Enrollment of the fleet / connecting it", lambda r: f"{r['fleet']['enroll_s']:.0f} s / {r['fleet']['connect_s']:.0f} s")
    print_and_record(lines, "Agents and sandboxes", "scripts/benchmark-agents.sh", before="<!-- Operation runs: written by")

if __name__ == "__main__":
    run(measure, report, __doc__)


class Timer:
    """Sequential GETs over one keep-alive connection; the clock covers writing the request to reading the last byte."""
    def __init__(self, base, cookie, accept="application/json"):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.headers = {"Accept": accept, **({"Cookie": cookie} if cookie else {})}

    def get(self, path):
        started = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status} (Location: {response.getheader('Location')}): {body[:300]!r}")
        if response.will_close:
            raise RuntimeError(f"GET {path}: the server closed the keep-alive connection")
        return elapsed, body

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
