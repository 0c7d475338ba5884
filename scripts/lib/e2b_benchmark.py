"""Time to first command, as ComputeSDK's public benchmark measures it (see scripts/benchmark-e2b.sh).

Usage: e2b_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, BIN, WORK, BENCH_E2B_RUNS)
       e2b_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure starts a real `gstacks agent` with the process driver (bubblewrap) in the benchmark's tenant, makes an API key
for that tenant, then BENCH_E2B_RUNS (100) sequential runs of each, interleaved:
  sdk       the `e2b` SDK (2.63.0, its venv): `Sandbox.create()` then `commands.run("true")`; kill, untimed
  api       our v1 API: POST /v1/sandboxes, GET until running (every 2 ms), POST /v1/sandboxes/{id}/exec of `true`
            (waits for it); stop and delete, untimed
  bwrap     the reference: the same bubblewrap confinement running /bin/true, spawned and waited for
Each run is timed from its first request to the command's exit status; median, p95, p99 and the success rate.
"""
import json, os, shutil, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import API, approve_when_online, cluster_with_token, env, latency_cell, latency_summary, print_and_record, run, section_lines, start_agent, table_row  # noqa: E402
from e2b_sdk import venv_python  # noqa: E402

SDK_LOOP = r"""
import json, os, sys, time
from e2b import Sandbox
for _ in range(int(sys.argv[1])):
    started = time.perf_counter()
    try:
        sandbox = Sandbox.create()
        ok = sandbox.commands.run("true").exit_code == 0
        elapsed = (time.perf_counter() - started) * 1000
        sandbox.kill()
        print(json.dumps({"ok": ok, "ms": elapsed}), flush=True)
    except Exception as error:
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}), flush=True)
"""


def log(message):
    print(f"[benchmark-e2b] {message}", file=sys.stderr, flush=True)


def api_key(api, base, engine):
    key = api.call("POST", "/v1/api-keys", {"name": "bench-e2b"}, expect=(201,))["key"]
    tenant = next(t for t in api.call("GET", "/v1/tenants")["items"] if t["slug"] == f"bench-{engine}")["id"]
    request = urllib.request.Request(f"{base}/v1/tenants/{tenant}/activate", method="POST", headers={"Authorization": f"Bearer {key}"})
    urllib.request.urlopen(request).read()
    return key


def sdk_runs(base, key, count):
    environment = {**os.environ, "E2B_API_URL": base + "/e2b", "E2B_SANDBOX_URL": base + "/e2b/envd", "E2B_API_KEY": key, "E2B_HTTP_VERSION": "1.1"}
    output = subprocess.run([venv_python(), "-c", SDK_LOOP, str(count)], env=environment, capture_output=True, text=True, timeout=1800)
    runs = [json.loads(line) for line in output.stdout.splitlines() if line.startswith("{")]
    failures = [r["error"] for r in runs if not r["ok"] and "error" in r]
    if failures:
        log(f"sdk: {len(failures)} failed, first: {failures[0]}")
    return runs


def api_run(api, body=None):
    """Create (`body`: an idle sandbox by default), poll until running, exec `true`; stop and delete, untimed."""
    started = time.perf_counter()
    try:
        sandbox = api.call("POST", "/v1/sandboxes", body or {"command": ["sleep", "infinity"]}, expect=(201,))
        while sandbox["state"] != "running":
            if sandbox["state"] in ("failed", "stopped"):
                raise RuntimeError(f"sandbox {sandbox['state']}: {sandbox.get('lastError')}")
            time.sleep(0.002)
            sandbox = api.call("GET", f"/v1/sandboxes/{sandbox['id']}")
        result = api.call("POST", f"/v1/sandboxes/{sandbox['id']}/exec", {"command": ["true"]})
        elapsed = (time.perf_counter() - started) * 1000
        api.call("POST", f"/v1/sandboxes/{sandbox['id']}/stop", expect=(202,))
        for _ in range(5000):
            if api.call("GET", f"/v1/sandboxes/{sandbox['id']}")["state"] in ("stopped", "failed"):
                break
            time.sleep(0.005)
        api.call("DELETE", f"/v1/sandboxes/{sandbox['id']}", expect=(202, 204))
        return {"ok": result.get("exitCode") == 0, "ms": elapsed}
    except Exception as error:
        return {"ok": False, "error": str(error)[:300]}


def bwrap_run(argv):
    started = time.perf_counter()
    ok = subprocess.run(argv).returncode == 0
    return {"ok": ok, "ms": (time.perf_counter() - started) * 1000}


def measure(engine):
    os.environ["BENCH_ENGINE"] = engine
    base = env("GS_BASE_URL")
    api = API(base, env("GS_COOKIE"))
    count = int(env("BENCH_E2B_RUNS", "100"))
    cluster, token = cluster_with_token(api, "bench-e2b")
    agent = start_agent(env("WORK"), "bench-e2b", token, "process", ["--max-sessions", "64", "--memory", "32Gi"])
    try:
        approve_when_online(api, cluster, "bench-e2b")
        key = api_key(api, base, engine)
        bwrap = shutil.which("bwrap")
        scratch = os.path.join(env("WORK"), "bwrap-reference")
        os.makedirs(scratch, exist_ok=True)
        argv = [bwrap, "--unshare-all", "--die-with-parent", "--uid", "65534", "--gid", "65534", "--ro-bind", "/usr", "/usr"]
        for path in ["/bin", "/sbin", "/lib", "/lib64", "/lib32"]:
            argv += ["--ro-bind-try", path, path]
        argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", scratch, "/workspace", "--chdir", "/workspace", "--", "/bin/true"]
        # Warm-up, then the three interleaved in batches of ten (the SDK's loop runs in its own interpreter).
        sdk_runs(base, key, 3)
        api_run(api)
        results = {"sdk": [], "api": [], "bwrap": []}
        for batch in range(0, count, 10):
            size = min(10, count - batch)
            log(f"{engine}: runs {batch + 1}–{batch + size} of {count}")
            results["sdk"] += sdk_runs(base, key, size)
            results["api"] += [api_run(api) for _ in range(size)]
            results["bwrap"] += [bwrap_run(argv) for _ in range(size)]
        print(json.dumps({"engine": engine, **{name: latency_summary(runs, count) for name, runs in results.items()}}))
    finally:
        agent.terminate()
        agent.wait(15)


def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Time to first command (E2B SDK)", "scripts/benchmark-e2b.sh",
                          "ComputeSDK's method: sequential runs of create, then a command that waits (`true`), timed to its exit status; "
                          "one real `gstacks agent` with the process driver in bubblewrap on the same machine. Anchors from ComputeSDK's "
                          "public benchmark: Daytona 110 ms, E2B 440 ms medians.", results)
    row = table_row(lines, results)
    render = latency_cell
    row("`e2b` SDK 2.63.0: `Sandbox.create()` + `commands.run(\"true\")`, median / p95 / p99, success", render("sdk"))
    row("v1 API: POST /v1/sandboxes, poll until running, POST …/exec `true`", render("api"))
    row("Reference: bare bubblewrap running /bin/true", render("bwrap"))
    print_and_record(lines, "Time to first command (E2B SDK)", "scripts/benchmark-e2b.sh")


if __name__ == "__main__":
    run(measure, report, __doc__)
