"""Templates and warm pools (see scripts/benchmark-templates.sh).

Usage: templates_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, BIN, WORK, BENCH_TEMPLATE_RUNS)
       templates_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure starts a real `gstacks agent` with the process driver (bubblewrap), builds the test template twice (cold, with
debootstrap; then with its last step changed, the steps before it from the agent's cache), then BENCH_TEMPLATE_RUNS
(100) sequential runs of each:
  template  POST /v1/sandboxes {"template"}, GET until running (every 2 ms), POST …/exec `true` (waits for it);
            stop and delete, untimed
  pool      the same with a warm pool of 2 on the agent: the create claims a waiting sandbox; between runs (untimed)
            the pool is refilled
  bwrap     the reference: the template's unpacked root as the lower layer of an overlay mounted in a private mount
            namespace, bubblewrap (the sandbox's confinement) running /bin/true, spawned and waited for
Each run is timed from its first request to the command's exit status; median, p95, p99 and the success rate.
"""
import json, os, re, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import API, approve_when_online, cluster_with_token, env, latency_cell, latency_summary, print_and_record, run, section_lines, start_agent, table_row  # noqa: E402
from e2b_benchmark import api_run  # noqa: E402

DEFINITION = """FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*
RUN echo {version} > /etc/bench-version
"""


def log(message):
    print(f"[benchmark-templates] {message}", file=sys.stderr, flush=True)


def build(api, version):
    started = time.perf_counter()
    queued = api.call("POST", "/v1/template-builds", {"name": "bench", "definition": DEFINITION.format(version=version)}, expect=(202,))
    while True:
        current = api.call("GET", f"/v1/template-builds/{queued['id']}")
        if current["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    if current["status"] != "succeeded":
        raise RuntimeError(f"build {version} failed: {current.get('error')}")
    return {"seconds": time.perf_counter() - started, "cachedSteps": current["cachedSteps"], "steps": current["steps"]}


def first_command(api):
    return api_run(api, {"template": "bench"})


def pool_counter(api, event):
    import urllib.request
    text = urllib.request.urlopen(api.url.geturl().rstrip("/") + "/metrics").read().decode()
    match = re.search(r'^gstacks_warm_pool_total\{event="%s"\}\s+(\S+)' % event, text, re.M)
    return float(match.group(1)) if match else 0.0


def wait_for_refill(api, target):
    """Until the pool started `target` sandboxes in all and none of them is still starting on the agent."""
    for _ in range(3000):
        if pool_counter(api, "refilled") >= target:
            break
        time.sleep(0.01)
    time.sleep(0.3)  # the last start completes (the agent reports it running)


def template_root(agent_dir):
    for base, directories, _ in os.walk(agent_dir):
        if os.path.exists(os.path.join(base, "usr/bin/hello")) and os.path.exists(os.path.join(base, "etc/bench-version")):
            return base
        if base.count(os.sep) - agent_dir.count(os.sep) > 5:
            directories.clear()
    raise RuntimeError("the template's unpacked root was not found under the agent's directory")


def bwrap_argv(root, scratch):
    layer = tempfile.mkdtemp(dir=scratch)
    for name in ("upper", "work", "merged", "workspace"):
        os.makedirs(os.path.join(layer, name))
    mount = 'mount -t overlay overlay -o lowerdir="$1",upperdir="$2",workdir="$3" "$4" && shift 4 && exec "$@"'
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", mount, "sh", root, f"{layer}/upper", f"{layer}/work", f"{layer}/merged",
            shutil.which("bwrap"), "--unshare-all", "--die-with-parent", "--uid", "65534", "--gid", "65534", "--bind", f"{layer}/merged", "/",
            "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", f"{layer}/workspace", "/workspace", "--chdir", "/workspace", "--", "/bin/true"]


def bwrap_run(root, scratch):
    argv = bwrap_argv(root, scratch)
    started = time.perf_counter()
    ok = subprocess.run(argv).returncode == 0
    elapsed = (time.perf_counter() - started) * 1000
    shutil.rmtree(os.path.dirname(argv[9]), ignore_errors=True)
    return {"ok": ok, "ms": elapsed}


def summary(runs, count):
    failures = [r.get("error") for r in runs if not r["ok"]]
    if failures:
        log(f"{len(failures)} failed, first: {failures[0]}")
    return latency_summary(runs, count)


def measure(engine):
    os.environ["BENCH_ENGINE"] = engine
    api = API(env("GS_BASE_URL"), env("GS_COOKIE"))
    count = int(env("BENCH_TEMPLATE_RUNS", "100"))
    cluster, token = cluster_with_token(api, "bench-templates")
    agent_dir = os.path.join(env("WORK"), engine, "bench-templates")
    agent = start_agent(env("WORK"), "bench-templates", token, "process", ["--max-sessions", "64", "--memory", "32Gi"])
    try:
        approve_when_online(api, cluster, "bench-templates")
        log(f"{engine}: building the template cold (debootstrap included)")
        cold = build(api, "v1")
        log(f"{engine}: building it again with its last step changed")
        cached = build(api, "v2")
        root = template_root(agent_dir)
        scratch = os.path.join(env("WORK"), "bwrap-reference")
        os.makedirs(scratch, exist_ok=True)
        first_command(api)  # warm-up: the agent unpacks the root once
        results = {"template": [], "pool": [], "bwrap": []}
        for index in range(count):
            results["template"].append(first_command(api))
            results["bwrap"].append(bwrap_run(root, scratch))
        api.call("PUT", "/v1/templates/bench/warm-pool", {"size": 2})
        wait_for_refill(api, 2)
        for index in range(count):
            if index % 10 == 0:
                log(f"{engine}: pool runs {index + 1}–{min(index + 10, count)} of {count}")
            results["pool"].append(first_command(api))
            wait_for_refill(api, 2 + index + 1)
        claimed, missed = pool_counter(api, "claimed"), pool_counter(api, "missed")
        api.call("PUT", "/v1/templates/bench/warm-pool", {"size": 0})
        print(json.dumps({"engine": engine, "build": {"cold": cold, "cached": cached}, "claimed": claimed, "missed": missed,
                          **{name: summary(runs, count) for name, runs in results.items()}}))
    finally:
        agent.terminate()
        agent.wait(15)


def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Templates and warm pools", "scripts/benchmark-templates.sh",
                          "Time to first command (create, then a waiting exec of `true` returns), sequential runs, for a sandbox from a "
                          "template (Debian bookworm minbase with `hello`), the same with a warm pool of 2, and a bare start of the same "
                          "root; one real `gstacks agent` with the process driver in bubblewrap on the same machine. Anchors: Daytona "
                          "110 ms, E2B 440 ms medians (ComputeSDK's public benchmark).", results)
    row = table_row(lines, results)
    render = latency_cell
    row("Template, no pool: create, poll until running, exec `true`; median / p95 / p99, success", render("template"))
    row("Template with a warm pool of 2 (the create claims a waiting sandbox)", render("pool"))
    row("Reference: overlay of the same root + bubblewrap running /bin/true", render("bwrap"))
    row("Pool claims / misses over the pool runs", lambda r: f"{r['claimed']:.0f} / {r['missed']:.0f}")
    row("Build of the test template, cold (debootstrap, `apt-get install hello`)", lambda r: f"{r['build']['cold']['seconds']:.1f} s")
    row("The same with its last step changed (steps before it cached)",
        lambda r: f"{r['build']['cached']['seconds']:.1f} s, {r['build']['cached']['cachedSteps']} of {r['build']['cached']['steps']} steps cached")
    print_and_record(lines, "Templates and warm pools", "scripts/benchmark-templates.sh")


if __name__ == "__main__":
    run(measure, report, __doc__)
