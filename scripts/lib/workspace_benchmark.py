"""Data-plane benchmark against one running `gstacks server` (see scripts/benchmark-workspace.sh).

Usage: workspace_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, GS_PID, BIN, WORK, BENCH_*)
       workspace_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure starts a real `gstacks agent --driver process` (bubblewrap), one running sandbox, and prints one JSON
object with:
  exec      BENCH_EXECS execs of /bin/true through POST /v1/sandboxes/{id}/exec, one at a time, after a warm-up:
            round trip p50/p99 as the client sees it. References in the same run: entering the same sandbox with
            the same nsenter + env chain from here (the process cost the agent pays), and the same API round trip
            with the noop driver (a second agent that starts no process: the channel alone).
  stream    stdout throughput of a streaming exec (WebSocket) of `head -c BENCH_STREAM_MIB MiB /dev/zero`.
            Reference: the same command piped to a local reader.
  files     BENCH_RUNS uploads and downloads of a 64 MiB random file; MB/s (medians). Reference: `cp` of the
            same file on the same disk.
  large     a 1 GiB download while the server's and the agent's resident memory (VmRSS) are sampled every 20 ms:
            idle and peak for each, and its MB/s.
"""
import asyncio, hashlib, http.client, json, os, shutil, statistics, subprocess, sys, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import (API, approve_when_online, cluster_with_token, env, percentile, print_and_record, rss_mib,  # noqa: E402
                              run, section_lines, start_agent, table_row)

MiB = 1 << 20

def running_sandbox(api, cluster, storage="4Gi"):
    sandbox = api.call("POST", "/v1/sandboxes", {"command": ["sleep", "3600"], "resources": {"cpu": "2000m", "memory": "1Gi", "storage": storage},
                                                  "clusterId": cluster}, expect=(201,))
    for _ in range(5000):
        state = api.call("GET", f"/v1/sandboxes/{sandbox['id']}")["state"]
        if state == "running":
            return sandbox["id"]
        if state == "failed":
            raise RuntimeError("the benchmark sandbox failed")
        time.sleep(0.005)
    raise RuntimeError("the benchmark sandbox did not start")

def exec_latencies(api, sandbox, count):
    latencies = []
    for index in range(count + 20):
        started = time.perf_counter()
        result = api.call("POST", f"/v1/sandboxes/{sandbox}/exec", {"command": ["/bin/true"]})
        elapsed = (time.perf_counter() - started) * 1000
        if result.get("exitCode") != 0:
            raise RuntimeError(f"/bin/true answered {result}")
        if index >= 20:
            latencies.append(elapsed)
    return latencies

def sandbox_init_pid(sandbox):
    """bubblewrap's init inside the sandbox: the child of the bwrap process whose command line names the sandbox."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"bwrap") and any(sandbox.encode() in part for part in cmdline):
            children = open(f"/proc/{entry}/task/{entry}/children").read().split()
            if children:
                return int(children[0])
    return None

def direct_enter_latencies(pid, count):
    argv = ["/usr/bin/nsenter", "--target", str(pid), "--user", "--mount", "--pid", "--net", "--ipc", "--uts", "--cgroup", "--root", "--wd",
            "--setuid", "65534", "--setgid", "65534", "--", "/usr/bin/env", "-i", "--chdir=/workspace", "--", "/bin/true"]
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        subprocess.run(argv, check=True)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies

def stream_throughput(base, cookie, sandbox, mib):
    import websockets

    async def run():
        url = base.replace("http://", "ws://") + f"/v1/sandboxes/{sandbox}/exec/stream"
        received = 0
        async with websockets.connect(url, additional_headers={"Cookie": cookie}, max_size=1 << 20) as socket:
            started = time.perf_counter()
            await socket.send(json.dumps({"command": ["head", "-c", f"{mib}M", "/dev/zero"]}))
            async for message in socket:
                if isinstance(message, bytes):
                    received += len(message) - 1
                else:
                    final = json.loads(message)
                    break
            elapsed = time.perf_counter() - started
        if received != mib * MiB or final.get("exitCode") != 0:
            raise RuntimeError(f"streamed {received} bytes, final {final}")
        return mib * MiB / elapsed / 1e6
    return asyncio.run(run())

def local_pipe_throughput(mib):
    started = time.perf_counter()
    subprocess.run(f"head -c {mib}M /dev/zero | cat > /dev/null", shell=True, check=True)
    return mib * MiB / (time.perf_counter() - started) / 1e6

def upload(base, cookie, sandbox, path, source):
    url = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    size = os.path.getsize(source)
    started = time.perf_counter()
    with open(source, "rb") as body:
        connection.request("PUT", f"/v1/sandboxes/{sandbox}/files/content?path={path}", body=body,
                           headers={"Cookie": cookie, "Content-Type": "application/octet-stream", "Content-Length": str(size)})
        response = connection.getresponse()
        payload = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"upload answered {response.status}: {payload[:300]!r}")
    return size / elapsed / 1e6

def download(base, cookie, sandbox, path, digest=None, on_chunk=None):
    url = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", f"/v1/sandboxes/{sandbox}/files/content?path={path}", headers={"Cookie": cookie})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}: {response.read()[:300]!r}")
    hasher = hashlib.sha256() if digest else None
    total = 0
    while True:
        chunk = response.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        if hasher:
            hasher.update(chunk)
        if on_chunk:
            on_chunk()
    elapsed = time.perf_counter() - started
    connection.close()
    if hasher and hasher.hexdigest() != digest:
        raise RuntimeError("the downloaded file differs from the uploaded one")
    return total, total / elapsed / 1e6

def local_copy_throughput(source, work):
    target = os.path.join(work, "copy-reference.bin")
    started = time.perf_counter()
    subprocess.run(["cp", source, target], check=True)
    subprocess.run(["sync", target], check=False)
    elapsed = time.perf_counter() - started
    os.remove(target)
    return os.path.getsize(source) / elapsed / 1e6

def measure(engine):
    os.environ["BENCH_ENGINE"] = engine
    api = API(env("GS_BASE_URL"), env("GS_COOKIE"))
    base, cookie, work, server_pid = env("GS_BASE_URL"), env("GS_COOKIE"), env("WORK"), int(env("GS_PID"))
    runs = int(env("BENCH_RUNS", "5"))
    result = {"engine": engine}

    cluster, token = cluster_with_token(api, "bench-data")
    agent = start_agent(work, "bench-data", token, "process", ["--max-sessions", "16", "--memory", "32Gi", "--cpu", "8"])
    noop_cluster, noop_token = cluster_with_token(api, "bench-data-noop")
    noop = start_agent(work, "bench-data-noop", noop_token, "noop", ["--max-sessions", "16"])
    try:
        approve_when_online(api, cluster, "bench-data")
        approve_when_online(api, noop_cluster, "bench-data-noop")
        sandbox = running_sandbox(api, cluster)
        noop_sandbox = running_sandbox(api, noop_cluster, storage="0")
        count = int(env("BENCH_EXECS", "300"))
        latencies = exec_latencies(api, sandbox, count)
        noop_latencies = exec_latencies(api, noop_sandbox, count)
        pid = sandbox_init_pid(sandbox)
        direct = direct_enter_latencies(pid, 50) if pid else []
        result["exec"] = {"count": count, "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
                          "noop_p50_ms": percentile(noop_latencies, 50), "noop_p99_ms": percentile(noop_latencies, 99),
                          "direct_p50_ms": percentile(direct, 50) if direct else None}

        state = api.call("GET", f"/v1/sandboxes/{sandbox}")
        if state["state"] != "running":
            raise RuntimeError(f"the benchmark sandbox is {state['state']}: {state.get('lastError')}")
        mib = int(env("BENCH_STREAM_MIB", "512"))
        streams = [stream_throughput(base, cookie, sandbox, mib) for _ in range(3)]
        pipes = [local_pipe_throughput(mib) for _ in range(3)]
        result["stream"] = {"mib": mib, "mb_s": statistics.median(streams), "reference_mb_s": statistics.median(pipes)}

        source = os.path.join(work, "blob-64MiB.bin")
        with open(source, "wb") as blob:
            blob.write(os.urandom(64 * MiB))
        digest = hashlib.sha256(open(source, "rb").read()).hexdigest()
        uploads, downloads, copies = [], [], []
        for index in range(runs):
            uploads.append(upload(base, cookie, sandbox, f"blob-{index}.bin", source))
            downloads.append(download(base, cookie, sandbox, f"blob-{index}.bin", digest)[1])
            copies.append(local_copy_throughput(source, work))
        result["files"] = {"runs": runs, "upload_mb_s": statistics.median(uploads), "download_mb_s": statistics.median(downloads),
                           "cp_mb_s": statistics.median(copies)}

        api.call("POST", f"/v1/sandboxes/{sandbox}/exec", {"command": ["/bin/sh", "-c", "head -c 1G /dev/zero > large.bin"], "timeoutSeconds": 600})
        time.sleep(1)
        idle = {"server": rss_mib(server_pid), "agent": rss_mib(agent.pid)}
        peak = dict(idle)
        sampling = [True]

        def sample():
            while sampling[0]:
                peak["server"] = max(peak["server"], rss_mib(server_pid))
                peak["agent"] = max(peak["agent"], rss_mib(agent.pid))
                time.sleep(0.02)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            total, rate = download(base, cookie, sandbox, "large.bin")
        finally:
            sampling[0] = False
            sampler.join()
        if total != 1 << 30:
            raise RuntimeError(f"the 1 GiB download delivered {total} bytes")
        result["large"] = {"mb_s": rate, "server_idle_mib": idle["server"], "server_peak_mib": peak["server"],
                           "agent_idle_mib": idle["agent"], "agent_peak_mib": peak["agent"]}
    finally:
        for process in (agent, noop):
            process.terminate()
            process.wait(15)
    print(json.dumps(result))

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Workspace", "scripts/benchmark-workspace.sh",
                          "A real `gstacks agent` (process driver, bubblewrap) on the same machine; client, server and agent share the 2 cores.",
                          results)
    row = table_row(lines, results)
    row("Exec of `/bin/true` through the API, p50 / p99 (target < 10 ms / < 30 ms)", lambda r: f"{r['exec']['p50_ms']:.1f} ms / {r['exec']['p99_ms']:.1f} ms")
    row("… reference: the same exec on the noop driver (no process), p50 / p99", lambda r: f"{r['exec']['noop_p50_ms']:.1f} ms / {r['exec']['noop_p99_ms']:.1f} ms")
    row("… reference: entering the sandbox with nsenter + env directly, p50", lambda r: f"{r['exec']['direct_p50_ms']:.1f} ms" if r['exec']['direct_p50_ms'] else "n/a")
    row("Streaming exec stdout (WebSocket), median of 3", lambda r: f"{r['stream']['mb_s']:.0f} MB/s ({r['stream']['mib']} MiB)")
    row("… reference: the same output through a local pipe", lambda r: f"{r['stream']['reference_mb_s']:.0f} MB/s")
    row("Upload / download of 64 MiB, medians", lambda r: f"{r['files']['upload_mb_s']:.0f} / {r['files']['download_mb_s']:.0f} MB/s")
    row("… reference: `cp` of the same file", lambda r: f"{r['files']['cp_mb_s']:.0f} MB/s")
    row("1 GiB download", lambda r: f"{r['large']['mb_s']:.0f} MB/s")
    row("… server resident memory idle → peak (target: < 64 MiB above idle)", lambda r: f"{r['large']['server_idle_mib']:.0f} → {r['large']['server_peak_mib']:.0f} MiB")
    row("… agent resident memory idle → peak", lambda r: f"{r['large']['agent_idle_mib']:.0f} → {r['large']['agent_peak_mib']:.0f} MiB")
    print_and_record(lines, "Workspace", "scripts/benchmark-workspace.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
