"""Marketplace catalog benchmark against one running `gstacks server` (see scripts/benchmark-marketplace.sh).

Usage: marketplace_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, GS_PID, WORK, BENCH_*)
       marketplace_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure seeds the marketplace through the real API and prints one JSON object with the figures:
  seed      the active tenant (the publisher) registers a developer app and an Ed25519 key (made and used by
            `openssl`), then for each of BENCH_PACKAGES packages: the package, its extension.json and a small
            tar.gz artifact uploaded as content, the signature over both digests, release 1.0.0 and its submission;
            the signed-in site admin approves and publishes it (public). BENCH_SEED_CONNECTIONS threads, one
            keep-alive connection each. A second tenant of the same organization (the consumer) is then activated
            and installs BENCH_INSTALLS of the extensions, so that the catalog computes installed status for them.
  catalog   as the consumer, after a warm-up, BENCH_RUNS runs of BENCH_REQUESTS sequential requests each over one
            keep-alive connection, interleaved per run: GET /v1/integration-catalog (every answer must be 200 with
            BENCH_PACKAGES entries, BENCH_INSTALLS of them installed), GET /v1/marketplace/catalog?q=ext-0001 (a
            search with one match) and the reference GET /v1/auth/session (authenticated, answered without a
            database read). Latency = request written → last byte of the body read (the JSON checks are made after
            the clock stops); p50/p99 per run, and the server's CPU time per request (/proc, the server process only).
"""
import base64, concurrent.futures, gzip, hashlib, http.client, io, json, os, statistics, subprocess, sys, tarfile, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import API, Timer, cpu_seconds, env, percentile, print_and_record, run, section_lines, table_row  # noqa: E402

TARGET_P99_MS = 20.0
TARGET_PACKAGES = 1000
CATEGORIES = ["storage", "networking", "monitoring", "security", "delivery"]
SEARCH = "ext-0001"

def log(message):
    print(f"[benchmark-marketplace] {message}", file=sys.stderr, flush=True)

class ContentAPI(API):
    """The shared keep-alive client, plus uploads of raw bytes."""
    def put_content(self, kind, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if not hasattr(self.local, "conn"):
            self.local.conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
        try:
            self.local.conn.request("PUT", f"/v1/extension-content/{digest}?kind={kind}", body=data,
                                    headers={"Cookie": self.cookie, "Content-Type": "application/octet-stream"})
            response = self.local.conn.getresponse()
            payload = response.read()
        except (http.client.HTTPException, OSError):
            self.local.conn.close()
            del self.local.conn
            raise
        if response.status != 201:
            raise RuntimeError(f"PUT /v1/extension-content/{digest}?kind={kind} answered {response.status}: {payload[:300]!r}")
        return digest

class Signer:
    """An Ed25519 key made by openssl; signs with `openssl pkeyutl -sign -rawin` (Ed25519 signs the message itself)."""
    def __init__(self, work):
        self.directory = os.path.join(work, "signing")
        os.makedirs(self.directory, exist_ok=True)
        self.key = os.path.join(self.directory, "publisher.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key], check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", self.key, "-pubout", "-outform", "DER"], check=True, capture_output=True).stdout
        self.public_key = der[-32:]  # SubjectPublicKeyInfo for Ed25519: a fixed 12-byte prefix, then the raw key

    def sign(self, message, name):
        path = os.path.join(self.directory, f"{name}.msg")
        with open(path, "wb") as handle:
            handle.write(message)
        signature = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.key, "-rawin", "-in", path],
                                   check=True, capture_output=True).stdout
        os.remove(path)
        if len(signature) != 64:
            raise RuntimeError(f"openssl made a {len(signature)}-byte Ed25519 signature")
        return signature

def b64(data):
    return base64.b64encode(data).decode()

def manifest_bytes(index, key):
    manifest = {
        "format": "globalstacks.extension.v1", "key": key, "name": f"Bench {index}", "version": "1.0.0", "publisher": "Bench Inc",
        "description": f"Benchmark extension number {index}: reports on the tenant's sandboxes.",
        "category": CATEGORIES[index % len(CATEGORIES)], "tags": ["bench", f"t{index % 10}"],
        "brokerProtocol": "globalstacks.broker.v1", "entrypoint": "main.py",
        "permissions": [{"name": "sandboxes.read", "purpose": "List sandboxes to report on them."}],
        "egress": ["api.example.com"], "agentCapabilities": ["extensions.python"],
        "operations": [{"name": "report", "targetKind": "cluster", "permissions": ["sandboxes.read"],
                        "inputSchema": {"type": "object", "properties": {"verbose": {"type": "boolean"}}}, "outputSchema": {"type": "object"}}],
        "settings": {"schema": {"type": "object", "properties": {"region": {"type": "string", "enum": ["eu", "us"], "default": "eu"},
                                                                 "token": {"type": "string", "minLength": 8}}},
                     "mutation": {"region": "immutable"}, "secrets": ["token"]},
        "cli": [{"path": ["report"], "operation": "report", "short": "Report", "output": "table"}],
    }
    return json.dumps(manifest, sort_keys=True).encode()

def artifact_bytes(index):
    """A tar.gz holding main.py, different per package."""
    source = f"# bench extension {index}\nprint('report')\n".encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("main.py")
        info.size, info.mtime = len(source), 0
        tar.addfile(info, io.BytesIO(source))
    return gzip.compress(archive.getvalue(), mtime=0)

def seed_package(api, signer, app, key_id, index):
    key = f"bench.ext-{index:04d}"
    package = api.call("POST", f"/v1/developer/apps/{app}/packages",
                       {"extensionKey": key, "name": f"Bench {index}", "category": CATEGORIES[index % len(CATEGORIES)],
                        "tags": ["bench", f"t{index % 10}"]}, expect=(201,))["id"]
    manifest = api.put_content("manifest", manifest_bytes(index, key))
    artifact = api.put_content("artifact", artifact_bytes(index))
    signature = signer.sign(f"globalstacks.release.v1\n{manifest}\n{artifact}\n".encode(), key)
    api.call("POST", f"/v1/developer/packages/{package}/signatures",
             {"manifestDigest": manifest, "artifactDigest": artifact, "keyId": key_id, "signature": b64(signature)}, expect=(201,))
    release = api.call("POST", f"/v1/developer/packages/{package}/releases",
                       {"version": "1.0.0", "manifestDigest": manifest, "artifactDigest": artifact}, expect=(201,))["id"]
    api.call("POST", f"/v1/developer/releases/{release}/moves", {"to": "submitted"})
    api.call("POST", f"/v1/marketplace/releases/{release}/decisions", {"to": "approved"})
    published = api.call("POST", f"/v1/marketplace/releases/{release}/decisions", {"to": "published"})
    if published["release"]["releaseStatus"] != "published":
        raise RuntimeError(f"{key}: the release is {published['release']['releaseStatus']} after publishing")
    return key, manifest, artifact

def seed(api, work, count, connections):
    signer = Signer(work)
    app = api.call("POST", "/v1/developer/apps", {"name": "Bench extensions", "publisherName": "Bench Inc", "supportUrl": "https://example.com/support",
                                                  "termsUrl": "https://example.com/terms", "privacyUrl": "https://example.com/privacy"}, expect=(201,))["id"]
    key_id = api.call("POST", f"/v1/developer/apps/{app}/keys", {"name": "bench", "publicKey": b64(signer.public_key)}, expect=(201,))["id"]
    done, lock, released = [0], threading.Lock(), {}

    def one(index):
        key, manifest, artifact = seed_package(api, signer, app, key_id, index)
        with lock:
            released[key] = (manifest, artifact)
            done[0] += 1
            if done[0] % 100 == 0 or done[0] == count:
                log(f"  {done[0]:,} of {count:,} packages published")
    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        list(pool.map(one, range(1, count + 1)))  # list(): the first failure is raised here
    return released

def measure(engine):
    count = int(env("BENCH_PACKAGES", "1000"))
    installs = min(count, int(env("BENCH_INSTALLS", "20")))
    requests = int(env("BENCH_REQUESTS", "300"))
    runs = int(env("BENCH_RUNS", "5"))
    connections = int(env("BENCH_SEED_CONNECTIONS", "4"))
    base, cookie, pid = env("GS_BASE_URL"), env("GS_COOKIE"), int(env("GS_PID"))
    api = ContentAPI(base, cookie)

    log(f"{engine}: seeding {count:,} packages over {connections} connections")
    started = time.monotonic()
    released = seed(api, env("WORK"), count, connections)
    seed_s = time.monotonic() - started

    consumer = api.call("POST", "/v1/tenants", {"name": "Bench consumer", "slug": f"bench-consumer-{engine}"}, expect=(201,))["id"]
    api.call("POST", f"/v1/tenants/{consumer}/activate")
    for key in sorted(released)[:installs]:
        manifest, artifact = released[key]
        api.call("POST", f"/v1/integration-installs/{key}", {"manifest_digest": manifest, "artifact_digest": artifact}, expect=(201,))
    log(f"{engine}: seeded in {seed_s:.0f} s; the consumer tenant installed {installs}")

    def check_catalog(body):
        items = json.loads(body)["items"]
        installed = sum(1 for item in items if item["installedStatus"] != "not_installed")
        if len(items) != count or installed != installs:
            raise RuntimeError(f"the catalog has {len(items)} entries ({installed} installed), expected {count} ({installs} installed)")

    def check_search(body):
        keys = [item["extensionKey"] for item in json.loads(body)["items"]]
        if keys != ["bench.ext-0001"]:
            raise RuntimeError(f"the search for {SEARCH!r} found {keys[:5]}")

    def check_session(body):
        json.loads(body)

    endpoints = [("catalog", "/v1/integration-catalog", check_catalog),
                 ("search", f"/v1/marketplace/catalog?q={SEARCH}", check_search),
                 ("session", "/v1/auth/session", check_session)]
    timer = Timer(base, cookie)
    sizes = {}
    for name, path, check in endpoints:  # warm-up
        for _ in range(20):
            _, body = timer.get(path)
            check(body)
        sizes[name] = len(body)
    figures = {name: {"p50": [], "p99": [], "cpu_us": []} for name, _, _ in endpoints}
    for index in range(runs):
        log(f"{engine}: run {index + 1} of {runs}")
        for name, path, check in endpoints:
            latencies, bodies = [], []
            cpu_before = cpu_seconds(pid)
            for _ in range(requests):
                elapsed, body = timer.get(path)
                latencies.append(elapsed)
                bodies.append(body)
            cpu_after = cpu_seconds(pid)
            for body in bodies:
                check(body)
            figures[name]["p50"].append(percentile(latencies, 50))
            figures[name]["p99"].append(percentile(latencies, 99))
            figures[name]["cpu_us"].append((cpu_after - cpu_before) / requests * 1e6)
    result = {"engine": engine, "packages": count, "installs": installs, "requests": requests, "runs": runs,
              "seed_s": seed_s, "seed_connections": connections}
    for name, values in figures.items():
        result[name] = {"p50_ms": statistics.median(values["p50"]), "p99_ms": statistics.median(values["p99"]),
                        "p99_runs_ms": values["p99"], "cpu_us": statistics.median(values["cpu_us"]), "bytes": sizes[name]}
    print(json.dumps(result))

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    first = results[0]
    count, installs = first["packages"], first["installs"]
    lines = section_lines("Marketplace catalog", "scripts/benchmark-marketplace.sh",
                          f"{count:,} public extensions published through the API by one tenant, read by a second tenant of the "
                          f"organization that installed {installs} of them; {first['runs']} runs of {first['requests']} sequential "
                          f"requests per endpoint over one keep-alive connection (Python `http.client`, on the same cores), interleaved; "
                          f"medians over the runs. CPU is the server process's only.", results)
    row = table_row(lines, results)

    def p(figure):
        return f"{figure['p50_ms']:.1f} ms / {figure['p99_ms']:.1f} ms"
    row(f"`GET /v1/integration-catalog`, {count:,} entries, p50 / p99 (target p99 < {TARGET_P99_MS:g} ms)", lambda r: p(r["catalog"]))
    row("… p99 per run", lambda r: ", ".join(f"{v:.1f}" for v in r["catalog"]["p99_runs_ms"]) + " ms")
    row("… response size; server CPU per request", lambda r: f"{r['catalog']['bytes'] / 1024:,.0f} KiB; {r['catalog']['cpu_us'] / 1000:.1f} ms")
    row(f"`GET /v1/marketplace/catalog?q={SEARCH}` (search, 1 match), p50 / p99", lambda r: p(r["search"]))
    row("… server CPU per request", lambda r: f"{r['search']['cpu_us'] / 1000:.1f} ms")
    row("… reference: `GET /v1/auth/session` (no database read), p50 / p99", lambda r: p(r["session"]))
    row("… server CPU per request", lambda r: f"{r['session']['cpu_us'] / 1000:.2f} ms")
    row("Seeding through the API (package, 2 uploads, signature, release, submit, approve, publish)",
        lambda r: f"{r['seed_s']:.0f} s ({r['seed_connections']} connections)")

    def verdict(r):
        met = r["catalog"]["p99_ms"] < TARGET_P99_MS
        text = "met" if met else "**not met**"
        return text if r["packages"] == TARGET_PACKAGES else f"{text} (at {r['packages']:,} packages, not {TARGET_PACKAGES:,})"
    row(f"Target: catalog p99 < {TARGET_P99_MS:g} ms at {TARGET_PACKAGES:,} packages", verdict)
    print_and_record(lines, "Marketplace catalog", "scripts/benchmark-marketplace.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
