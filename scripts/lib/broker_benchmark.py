"""Broker benchmark against one running `gstacks server` (see scripts/benchmark-broker.sh).

Usage: broker_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, GS_PID, BIN, WORK, BENCH_*)
       broker_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure starts a real `gstacks agent --driver process` (bubblewrap), publishes the example extension
(examples/extensions/http-probe, signed with marketplace_benchmark's openssl Ed25519 signer) without egress or permissions, installs
it, and prints one JSON object with:
  cold      BENCH_COLD invocations of its trivial `echo` operation, each of a digest the agent has not seen (a new
            release whose artifact differs by one comment line, installed by the automatic upgrade): POST .../invoke
            round trip as the client sees it, fetch, verification and unpacking included.
  warm      BENCH_INVOKES invocations of `echo` (artifact cached), one at a time, after a warm-up: p50/p99.
  exec      the reference, interleaved with warm (one of each in turn): the same entrypoint with the same request on
            stdin, run directly in a running sandbox on the same agent through POST /v1/sandboxes/{id}/exec: p50/p99.
            The broker's own overhead is warm minus exec.
"""
import io, json, os, statistics, sys, tarfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import approve_when_online, cluster_with_token, env, percentile, print_and_record, run, section_lines, start_agent, table_row  # noqa: E402
from workspace_benchmark import upload  # noqa: E402
from marketplace_benchmark import ContentAPI, Signer, b64  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "extensions", "http-probe")
KEY = "example.http-probe"

def artifact(variant):
    """A gzip tar archive of the example, its entrypoint changed by one comment line per variant (a new digest)."""
    source = open(os.path.join(EXAMPLE, "main.py"), "rb").read() + f"# variant {variant}\n".encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("main.py")
        info.size, info.mode, info.mtime = len(source), 0o755, 0
        archive.addfile(info, io.BytesIO(source))
    return buffer.getvalue(), source

class Publisher:
    def __init__(self, api, work):
        self.api = api
        self.signer = Signer(work)
        app = api.call("POST", "/v1/developer/apps", {"name": "Bench", "publisherName": "Bench", "supportUrl": "https://b.example/s",
                                                      "termsUrl": "https://b.example/t", "privacyUrl": "https://b.example/p"}, expect=(201,))["id"]
        self.key_id = api.call("POST", f"/v1/developer/apps/{app}/keys", {"name": "k", "publicKey": b64(self.signer.public_key)}, expect=(201,))["id"]
        self.package = api.call("POST", f"/v1/developer/apps/{app}/packages", {"extensionKey": KEY, "name": "HTTP probe"}, expect=(201,))["id"]
        self.manifest = json.load(open(os.path.join(EXAMPLE, "extension.json")))
        self.manifest["egress"] = []
        self.manifest["permissions"] = []
        self.manifest["operations"] = [op for op in self.manifest["operations"] if not op["permissions"]]

    def release(self, version):
        manifest = dict(self.manifest, version=version)
        manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
        archive, _ = artifact(version)
        manifest_digest = self.api.put_content("manifest", manifest_bytes)
        artifact_digest = self.api.put_content("artifact", archive)
        signature = self.signer.sign(f"globalstacks.release.v1\n{manifest_digest}\n{artifact_digest}\n".encode(), version)
        self.api.call("POST", f"/v1/developer/packages/{self.package}/signatures",
                      {"manifestDigest": manifest_digest, "artifactDigest": artifact_digest, "keyId": self.key_id,
                       "signature": b64(signature)}, expect=(200, 201))
        release = self.api.call("POST", f"/v1/developer/packages/{self.package}/releases",
                                {"version": version, "manifestDigest": manifest_digest, "artifactDigest": artifact_digest}, expect=(201,))["id"]
        self.api.call("POST", f"/v1/developer/releases/{release}/moves", {"to": "submitted"}, expect=(200, 201))
        for to in ("approved", "published"):
            self.api.call("POST", f"/v1/marketplace/releases/{release}/decisions", {"to": to}, expect=(200, 201))
        return manifest_digest, artifact_digest

def invoke(api, cluster, payload):
    started = time.perf_counter()
    answer = api.call("POST", f"/v1/integration-extensions/{KEY}/invoke",
                      {"operation": "echo", "targetKind": "cluster", "targetId": cluster, "input": payload})
    elapsed = (time.perf_counter() - started) * 1000
    if answer.get("outputs", {}).get("echo") != payload:
        raise RuntimeError(f"echo answered {answer}")
    return elapsed

def measure(engine):
    os.environ["BENCH_ENGINE"] = engine
    api = ContentAPI(env("GS_BASE_URL"), env("GS_COOKIE"))
    work = env("WORK")
    count = int(env("BENCH_INVOKES", "200"))
    cold_count = int(env("BENCH_COLD", "7"))
    cluster, token = cluster_with_token(api, "bench-broker")
    agent = start_agent(work, "bench-broker", token, "process")
    result = {"engine": engine}
    try:
        approve_when_online(api, cluster, "bench-broker")
        publisher = Publisher(api, work)
        manifest_digest, artifact_digest = publisher.release("1.0.0")
        api.call("POST", f"/v1/integration-installs/{KEY}", {"manifest_digest": manifest_digest, "artifact_digest": artifact_digest,
                                                               "settings": {"token": "bench"}}, expect=(201,))
        cold = [invoke(api, cluster, {"n": 0})]
        for index in range(1, cold_count):
            publisher.release(f"1.0.{index}")  # the install moves to it: nothing new is asked
            cold.append(invoke(api, cluster, {"n": index}))
        # The reference: the same entrypoint and request, exec'd in a running sandbox on the same agent.
        sandbox = api.call("POST", "/v1/sandboxes", {"command": ["sleep", "3600"], "resources": {"cpu": "1000m", "memory": "512Mi"},
                                                     "clusterId": cluster}, expect=(201,))["id"]
        for _ in range(2000):
            if api.call("GET", f"/v1/sandboxes/{sandbox}")["state"] == "running":
                break
            time.sleep(0.005)
        _, source = artifact(f"1.0.{cold_count - 1}")
        entrypoint = os.path.join(work, "main.py")
        with open(entrypoint, "wb") as file:
            file.write(source)
        upload(env("GS_BASE_URL"), env("GS_COOKIE"), sandbox, "main.py", entrypoint)
        request = json.dumps({"protocol": "globalstacks.broker.v1", "invocationId": "run-0", "extension": {"key": KEY, "version": "1.0.0"},
                              "operation": "echo", "target": {"kind": "cluster", "id": cluster}, "tenantId": "t", "input": {"n": 1}})
        environment = {"GLOBALSTACKS_SETTINGS": json.dumps({"endpoint": "https://status.example.com", "label": "probe"}),
                       "GLOBALSTACKS_SECRETS": json.dumps({"token": "bench"})}

        def direct():
            started = time.perf_counter()
            answer = api.call("POST", f"/v1/sandboxes/{sandbox}/exec",
                              {"command": ["/usr/bin/python3", "main.py"], "stdin": request, "environment": environment})
            elapsed = (time.perf_counter() - started) * 1000
            if answer.get("exitCode") != 0 or '"echo"' not in answer.get("stdout", ""):
                raise RuntimeError(f"the direct run answered {answer}")
            return elapsed

        # Interleaved, one of each at a time, so both see the same machine.
        warm, execs = [], []
        for index in range(count + 20):
            invoked, executed = invoke(api, cluster, {"n": index}), direct()
            if index >= 20:
                warm.append(invoked)
                execs.append(executed)
        result.update({
            "cold": {"runs": len(cold), "p50_ms": statistics.median(cold), "max_ms": max(cold)},
            "warm": {"runs": len(warm), "p50_ms": percentile(warm, 50), "p99_ms": percentile(warm, 99)},
            "exec": {"runs": len(execs), "p50_ms": percentile(execs, 50), "p99_ms": percentile(execs, 99)},
        })
    finally:
        agent.terminate()
        agent.wait(15)
    print(json.dumps(result))

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Broker", "scripts/benchmark-broker.sh",
                          "A real `gstacks agent` (process driver, bubblewrap) on the same machine; the example extension's `echo` operation "
                          "(Python), invoked one at a time; client, server and agent share the 2 cores.", results)
    row = table_row(lines, results)
    row("Invoke, warm (artifact cached), p50 / p99", lambda r: f"{r['warm']['p50_ms']:.1f} ms / {r['warm']['p99_ms']:.1f} ms")
    row("Invoke, cold (a digest the agent has not seen), median / max", lambda r: f"{r['cold']['p50_ms']:.1f} ms / {r['cold']['max_ms']:.1f} ms ({r['cold']['runs']} runs)")
    row("… reference: the same entrypoint and request through exec in a running sandbox, p50 / p99", lambda r: f"{r['exec']['p50_ms']:.1f} ms / {r['exec']['p99_ms']:.1f} ms")
    row("Broker overhead, warm p50 − exec p50 (target < 20 ms)", lambda r: f"{r['warm']['p50_ms'] - r['exec']['p50_ms']:.1f} ms")
    print_and_record(lines, "Broker", "scripts/benchmark-broker.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
