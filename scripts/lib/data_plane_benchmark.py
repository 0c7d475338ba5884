"""Data Plane benchmark against one running `gstacks server` (see scripts/benchmark-data-plane.sh).

Usage: data_plane_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, BIN, WORK, S3_VENV, BENCH_*)
       data_plane_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure starts moto (scripts/lib/s3_server.py) and a real `gstacks agent --driver process` (bubblewrap,
--allow-loopback-egress so the S3 extension reaches moto), publishes the two example extensions
(examples/extensions/postgresql and s3-object-store, packed as the tests pack them, signed with openssl's Ed25519),
installs them, then BENCH_RUNS times each, one of each kind in turn:
  postgresql  POST /v1/data-plane/instances, then GET every BENCH_POLL_MS until it leaves `provisioning` (it must be
              `healthy`): create → healthy as the client sees it; the provision run's timestamps
              (GET /v1/operation-runs/{id}); then DELETE and GET until `deleted`.
  by hand     the reference: the same initdb and postgres command lines (the extension's, with its default settings)
              run directly as the same unprivileged user (65534) into a temporary directory with a unix socket,
              pg_isready polled every 10 ms until it answers; then a fast shutdown.
  s3          POST /v1/object-stores (customer_managed, a new bucket), GET until it leaves `provisioning` (it must be
              `ready`); then DELETE and GET until `deleted` (objects and the bucket it created go).
  boto3       the reference: the extension's S3 calls made directly with boto3 from a warm client (list the bucket,
              create it, put the marker, get it back), then its delete calls (delete the marker and the bucket).
It prints one JSON object with every run.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import approve_when_online, cluster_with_token, env, iso_ms, print_and_record, run, section_lines, start_agent, table_row  # noqa: E402
from marketplace_benchmark import ContentAPI, Signer, b64  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "extensions")
SERVICE_USER = "65534"  # the user the agent runs a service as (bubblewrap --uid 65534)

def log(message):
    print(f"[benchmark-data-plane] {message}", file=sys.stderr, flush=True)

def ms_since(started):
    return (time.perf_counter() - started) * 1000

def publish(api, signer, app, key_id, example, egress=None):
    """Packs, uploads, signs, submits, approves and publishes an example extension; answers its digests."""
    directory = os.path.join(EXAMPLES, example)
    manifest = json.load(open(os.path.join(directory, "extension.json")))
    if egress is not None:
        manifest["egress"] = egress
    archive = subprocess.run(["tar", "--sort=name", "--owner=0", "--group=0", "--mtime=@0", "-cz", "-C", directory, "main.py", "extension.json"],
                             check=True, capture_output=True).stdout
    manifest_digest = api.put_content("manifest", json.dumps(manifest, sort_keys=True).encode())
    artifact_digest = api.put_content("artifact", archive)
    package = api.call("POST", f"/v1/developer/apps/{app}/packages", {"extensionKey": manifest["key"], "name": manifest["name"]}, expect=(201,))["id"]
    signature = signer.sign(f"globalstacks.release.v1\n{manifest_digest}\n{artifact_digest}\n".encode(), example)
    api.call("POST", f"/v1/developer/packages/{package}/signatures", {"manifestDigest": manifest_digest, "artifactDigest": artifact_digest,
                                                                     "keyId": key_id, "signature": b64(signature)}, expect=(200, 201))
    release = api.call("POST", f"/v1/developer/packages/{package}/releases",
                       {"version": manifest["version"], "manifestDigest": manifest_digest, "artifactDigest": artifact_digest}, expect=(201,))["id"]
    api.call("POST", f"/v1/developer/releases/{release}/moves", {"to": "submitted"}, expect=(200, 201))
    for to in ("approved", "published"):
        api.call("POST", f"/v1/marketplace/releases/{release}/decisions", {"to": to}, expect=(200, 201))
    return manifest["key"], manifest_digest, artifact_digest

def install(api, key, manifest_digest, artifact_digest, settings):
    api.call("POST", f"/v1/integration-installs/{key}", {"manifest_digest": manifest_digest, "artifact_digest": artifact_digest, "settings": settings},
             expect=(201,))

def poll(api, path, field, leaving, poll_ms, timeout_s=180):
    """GETs `path` until `field` is no longer `leaving`; answers the record and when (perf_counter) it was seen."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        record = api.call("GET", path)
        if record[field] != leaving:
            return record, time.perf_counter()
        time.sleep(poll_ms / 1000)
    raise RuntimeError(f"{path} stayed {leaving} for {timeout_s} s")

def provision_run(api, run_id=None, operation_type=None):
    """The provision run (by id, or the newest of its type): its attempts and when it started, in ms since 1970."""
    if run_id is None:
        run_id = api.call("GET", f"/v1/operation-runs?operationType={operation_type}&limit=1")["items"][0]["runId"]
    record = api.call("GET", f"/v1/operation-runs/{run_id}")
    return {"attempts": record["attempts"], "created": iso_ms(record["createdAt"]), "started": iso_ms(record["startedAt"])}

def mtime_ms(path):
    try:
        return os.stat(path).st_mtime_ns / 1e6
    except FileNotFoundError:
        return None

def service_marks(services, instance_id):
    """When the agent wrote what a service leaves on its host (ms since 1970), read before the delete removes it:
    its spec (the provision answer arrived), the init's marker (initdb done), postmaster.pid (last written when
    PostgreSQL is ready) and the health check's output (the check that passed)."""
    directory = os.path.join(services, instance_id)
    return {"spec": mtime_ms(os.path.join(directory, "service.json")),
            "initialized": mtime_ms(os.path.join(directory, "initialized")),
            "postgres_ready": mtime_ms(os.path.join(directory, "data", "pgdata", "postmaster.pid")),
            "health_checked": mtime_ms(os.path.join(directory, "health.log"))}

def postgresql_run(api, agent_id, services, poll_ms):
    wall = time.time() * 1000
    started = time.perf_counter()
    created = api.call("POST", "/v1/data-plane/instances", {"extensionKey": "example.postgresql", "hostId": agent_id}, expect=(201,))
    answered = ms_since(started)
    instance, seen = poll(api, f"/v1/data-plane/instances/{created['id']}", "state", "provisioning", poll_ms)
    if instance["state"] != "healthy":
        raise RuntimeError(f"the instance ended {instance['state']}: {instance}")
    healthy_ms = (seen - started) * 1000
    marks = service_marks(services, created["id"])
    run = provision_run(api, run_id=instance["metadata"]["provisionRunId"])
    # Each step as ms after the POST was sent (client and server share the clock).
    steps = {"run_started": run["started"], **marks, "healthy_recorded": iso_ms(instance["updatedAt"])}
    deleting = time.perf_counter()
    api.call("DELETE", f"/v1/data-plane/instances/{created['id']}")
    deleted, gone = poll(api, f"/v1/data-plane/instances/{created['id']}", "state", "draining", poll_ms)
    if deleted["state"] != "deleted":
        raise RuntimeError(f"the deleted instance ended {deleted['state']}: {deleted}")
    return {"post_ms": answered, "healthy_ms": healthy_ms, "delete_ms": (gone - deleting) * 1000, "attempts": run["attempts"],
            "steps_ms": {name: (value - wall if value is not None else None) for name, value in steps.items()}}

def postgresql_by_hand(bin_directory):
    """initdb, then postgres until pg_isready answers, as the service user, into a fresh directory."""
    directory = tempfile.mkdtemp(prefix="bench-pg-")
    try:
        os.chown(directory, int(SERVICE_USER), int(SERVICE_USER))
        as_service = ["setpriv", f"--reuid={SERVICE_USER}", f"--regid={SERVICE_USER}", "--clear-groups"]
        environment = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": directory}
        data, socket = os.path.join(directory, "pgdata"), directory
        started = time.perf_counter()
        subprocess.run(as_service + [f"{bin_directory}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"],
                       env=environment, check=True, capture_output=True)
        initdb_ms = ms_since(started)
        launched = time.perf_counter()
        server = subprocess.Popen(as_service + [f"{bin_directory}/postgres", "-D", data, "-k", socket, "-c", "listen_addresses=",
                                                "-c", "max_connections=100", "-c", "shared_buffers=128MB", "-c", "work_mem=4MB"],
                                  env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while subprocess.run([f"{bin_directory}/pg_isready", "-q", "-h", socket, "-U", "postgres", "-d", "postgres"], env=environment).returncode != 0:
                if server.poll() is not None:
                    raise RuntimeError("postgres exited before it accepted connections")
                time.sleep(0.01)
            return {"initdb_ms": initdb_ms, "start_ms": ms_since(launched), "total_ms": ms_since(started)}
        finally:
            server.send_signal(2)  # SIGINT: fast shutdown
            server.wait(30)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

def s3_run(api, bucket, poll_ms):
    wall = time.time() * 1000
    started = time.perf_counter()
    created = api.call("POST", "/v1/object-stores", {"providerKey": "example.s3-object-store", "purpose": "volume_data",
                                                     "hostedMode": "customer_managed", "bucket": bucket, "prefix": "bench"}, expect=(201,))
    answered = ms_since(started)
    store, seen = poll(api, f"/v1/object-stores/{created['id']}", "status", "provisioning", poll_ms)
    if store["status"] != "ready":
        raise RuntimeError(f"the object store ended {store['status']}: {store}")
    ready_ms = (seen - started) * 1000
    run = provision_run(api, operation_type="object-store.provision")
    steps = {"run_started": run["started"] - wall, "ready_recorded": iso_ms(store["updatedAt"]) - wall}
    deleting = time.perf_counter()
    api.call("DELETE", f"/v1/object-stores/{created['id']}")
    deleted, gone = poll(api, f"/v1/object-stores/{created['id']}", "status", "ready", poll_ms)
    if deleted["status"] != "deleted":
        raise RuntimeError(f"the deleted object store ended {deleted['status']}: {deleted}")
    return {"post_ms": answered, "ready_ms": ready_ms, "delete_ms": (gone - deleting) * 1000, "attempts": run["attempts"], "steps_ms": steps}

# Runs in the S3 venv (boto3): one line per bucket on stdin, one JSON line of timings per bucket on stdout.
BOTO3_REFERENCE = r"""
import json, sys, time, boto3, botocore
ready = json.loads(sys.argv[1])
s3 = boto3.client("s3", endpoint_url=ready["endpoint"], region_name=ready["region"],
                  aws_access_key_id=ready["accessKeyId"], aws_secret_access_key=ready["secretAccessKey"])
s3.list_buckets()  # a warm client: connection and credentials resolved
print("{}", flush=True)
for line in sys.stdin:
    bucket, key = line.strip(), "bench/.globalstacks-object-store"
    started = time.perf_counter()
    try:
        s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
        raise SystemExit("bucket %s already exists" % bucket)
    except s3.exceptions.NoSuchBucket:
        pass
    s3.create_bucket(Bucket=bucket)
    marker = json.dumps({"globalstacks": "object-store", "bucket": bucket}).encode()
    s3.put_object(Bucket=bucket, Key=key, Body=marker)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == marker
    created = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    for item in s3.list_objects_v2(Bucket=bucket, Prefix="bench/").get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)
    print(json.dumps({"create_ms": created, "delete_ms": (time.perf_counter() - started) * 1000}), flush=True)
"""

def start_moto(work):
    venv = env("S3_VENV")
    moto = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "lib", "s3_server.py"), "--venv", venv, "start", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=open(os.path.join(work, "moto.log"), "w"), text=True)
    line = moto.stdout.readline()
    if not line:
        raise RuntimeError(f"moto did not start; see {work}/moto.log")
    return moto, json.loads(line)

def postgresql_binaries():
    root = "/usr/lib/postgresql"
    version = max(int(name) for name in os.listdir(root) if name.isdigit())
    return f"{root}/{version}/bin", version

def summary(values):
    return {"median_ms": statistics.median(values), "runs_ms": values}

def measure(engine):
    os.environ["BENCH_ENGINE"] = engine
    api = ContentAPI(env("GS_BASE_URL"), env("GS_COOKIE"))
    work = env("WORK")
    runs = int(env("BENCH_RUNS", "5"))
    poll_ms = float(env("BENCH_POLL_MS", "50"))
    bin_directory, pg_version = postgresql_binaries()
    load_before = open("/proc/loadavg").read().split()[0]
    moto, ready = start_moto(work)
    port = ready["endpoint"].rsplit(":", 1)[1]
    cluster, token = cluster_with_token(api, "bench-data-plane")
    agent = start_agent(work, "bench-data-plane", token, "process", ["--allow-loopback-egress"])
    services = os.path.join(work, engine, "bench-data-plane", "data-plane", "services")
    boto3 = None
    try:
        agent_id = approve_when_online(api, cluster, "bench-data-plane")
        log(f"{engine}: publishing and installing the PostgreSQL and S3 example extensions")
        signer = Signer(work)
        app = api.call("POST", "/v1/developer/apps", {"name": "Examples", "publisherName": "GlobalStacks examples", "supportUrl": "https://e.example/s",
                                                      "termsUrl": "https://e.example/t", "privacyUrl": "https://e.example/p"}, expect=(201,))["id"]
        key_id = api.call("POST", f"/v1/developer/apps/{app}/keys", {"name": "release", "publicKey": b64(signer.public_key)}, expect=(201,))["id"]
        install(api, *publish(api, signer, app, key_id, "postgresql"), {})
        install(api, *publish(api, signer, app, key_id, "s3-object-store", egress=[f"localhost:{port}"]),
                {"endpoint": f"http://localhost:{port}", "region": ready["region"], "accessKeyId": ready["accessKeyId"],
                 "secretAccessKey": ready["secretAccessKey"]})
        boto3 = subprocess.Popen([ready["python"], "-c", BOTO3_REFERENCE, json.dumps(ready)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        boto3.stdout.readline()

        instances, by_hand, stores, direct = [], [], [], []
        for index in range(runs):
            log(f"{engine}: run {index + 1} of {runs}")
            instances.append(postgresql_run(api, agent_id, services, poll_ms))
            by_hand.append(postgresql_by_hand(bin_directory))
            stores.append(s3_run(api, f"bench-api-{index}", poll_ms))
            boto3.stdin.write(f"bench-direct-{index}\n")
            boto3.stdin.flush()
            direct.append(json.loads(boto3.stdout.readline()))
        result = {
            "engine": engine, "runs": runs, "load": f"{load_before} → {open('/proc/loadavg').read().split()[0]}", "poll_ms": poll_ms, "postgresql_version": pg_version,
            "instance_healthy": summary([r["healthy_ms"] for r in instances]),
            "instance_post": summary([r["post_ms"] for r in instances]),
            "instance_delete": summary([r["delete_ms"] for r in instances]),
            "by_hand_total": summary([r["total_ms"] for r in by_hand]),
            "by_hand_initdb": summary([r["initdb_ms"] for r in by_hand]),
            "by_hand_start": summary([r["start_ms"] for r in by_hand]),
            "store_ready": summary([r["ready_ms"] for r in stores]),
            "store_post": summary([r["post_ms"] for r in stores]),
            "store_delete": summary([r["delete_ms"] for r in stores]),
            "boto3_create": summary([r["create_ms"] for r in direct]),
            "boto3_delete": summary([r["delete_ms"] for r in direct]),
            "instances": instances, "stores": stores,
        }
    finally:
        if boto3:
            boto3.stdin.close()
            boto3.wait(10)
        agent.terminate()
        agent.wait(30)
        moto.terminate()
        moto.wait(30)
    print(json.dumps(result))

def runs_text(figure):
    return ", ".join(f"{value / 1000:.2f}" for value in figure["runs_ms"])

def seconds(figure):
    return f"**{figure['median_ms'] / 1000:.2f} s** ({runs_text(figure)})"

# Where an instance's create → healthy goes: consecutive marks, each the median over the runs of (mark − previous).
INSTANCE_STEPS = [
    ("run_started", "POST → its provision run's (last) attempt starts (the operation workers; a retry waits a backoff)"),
    ("spec", "… → the agent wrote the service's spec (the broker ran the extension's `provision` in a sandbox, the answer went to the agent)"),
    ("initialized", "… → initdb done in the service's sandbox"),
    ("postgres_ready", "… → PostgreSQL ready (postmaster.pid's last write)"),
    ("health_checked", "… → the first passing health check (pg_isready in a sandbox; the first is 100 ms after the start)"),
    ("healthy_recorded", "… → `healthy` recorded by the server"),
]
STORE_STEPS = [
    ("run_started", "POST → its provision run's (last) attempt starts"),
    ("ready_recorded", "… → `ready` recorded (the broker ran the extension's `provision`: list, create bucket, put + get)"),
]

def step_medians(runs, steps, end):
    """Median of each step's duration over the runs (ms), the last one up to `end` (the client saw it)."""
    names = [name for name, _ in steps]
    medians = {}
    for index, name in enumerate(names):
        durations = [r["steps_ms"][name] - (r["steps_ms"][names[index - 1]] if index else 0) for r in runs
                     if r["steps_ms"].get(name) is not None and (index == 0 or r["steps_ms"].get(names[index - 1]) is not None)]
        medians[name] = statistics.median(durations) if durations else None
    medians["seen"] = statistics.median(r[end] - r["steps_ms"][names[-1]] for r in runs)
    return medians

def retried(runs, figure):
    first_attempt = [r[figure] for r in runs if r["attempts"] == 1]
    median = f"{statistics.median(first_attempt) / 1000:.2f} s" if first_attempt else "none"
    return f"{len(runs) - len(first_attempt)} of {len(runs)} ({median})"

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    if os.environ.get("BENCH_RAW"):
        shutil.copyfile(path, os.environ["BENCH_RAW"])
    first = results[0]
    lines = section_lines("Data Plane", "scripts/benchmark-data-plane.sh",
                          f"A real `gstacks agent` (process driver, bubblewrap) on the same machine, moto (S3, loopback) beside it; "
                          f"{first['runs']} runs of each, one of each kind in turn; medians, then every run in seconds; the API is polled "
                          f"every {first['poll_ms']:.0f} ms; PostgreSQL {first['postgresql_version']} (Debian's binaries).", results)
    row = table_row(lines, results)
    row("Load average (1 min) before → after the engine's runs (other work on the machine)", lambda r: r["load"])
    row("PostgreSQL instance: POST → `healthy` (GET polled)", lambda r: seconds(r["instance_healthy"]))
    row("… reference: initdb + postgres until pg_isready answers, by hand", lambda r: seconds(r["by_hand_total"]))
    row("… of which initdb / start → pg_isready", lambda r: f"{r['by_hand_initdb']['median_ms'] / 1000:.2f} s / {r['by_hand_start']['median_ms'] / 1000:.2f} s")
    row("… ratio, instance / by hand (medians)", lambda r: f"{r['instance_healthy']['median_ms'] / r['by_hand_total']['median_ms']:.1f}×")
    row("… runs whose provision run was retried (median of the others)", lambda r: retried(r["instances"], "healthy_ms"))
    for name, label in INSTANCE_STEPS:
        row(label, lambda r, name=name: f"{step_medians(r['instances'], INSTANCE_STEPS, 'healthy_ms')[name] / 1000:.2f} s")
    row("… → seen by the client (its polling)", lambda r: f"{step_medians(r['instances'], INSTANCE_STEPS, 'healthy_ms')['seen'] / 1000:.2f} s")
    row("PostgreSQL instance: DELETE → `deleted`", lambda r: seconds(r["instance_delete"]))
    row("S3 object store: POST → `ready` (GET polled)", lambda r: seconds(r["store_ready"]))
    row("… reference: the same S3 calls with boto3 (list, create bucket, put + get the marker)", lambda r: seconds(r["boto3_create"]))
    row("… ratio, store / boto3 (medians)", lambda r: f"{r['store_ready']['median_ms'] / r['boto3_create']['median_ms']:.0f}×")
    row("… runs whose provision run was retried (median of the others)", lambda r: retried(r["stores"], "ready_ms"))
    for name, label in STORE_STEPS:
        row(label, lambda r, name=name: f"{step_medians(r['stores'], STORE_STEPS, 'ready_ms')[name] / 1000:.2f} s")
    row("S3 object store: DELETE → `deleted` (beside boto3's delete calls)", lambda r: f"{seconds(r['store_delete'])}; boto3 {r['boto3_delete']['median_ms'] / 1000:.3f} s")
    print_and_record(lines, "Data Plane", "scripts/benchmark-data-plane.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
