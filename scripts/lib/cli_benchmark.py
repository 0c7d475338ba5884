"""CLI start-up benchmark against one running `gstacks server` (see scripts/benchmark-cli.sh).

Usage: cli_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, BIN, WORK, BENCH_*)
       cli_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure signs the release `gstacks` in (a context in a fresh configuration directory), then runs, interleaved,
BENCH_CLI_RUNS times each: `gstacks whoami` (process start, reading the context, one GET /v1/auth/session, printing)
and the reference `curl -s` of the same endpoint with the same session cookie, each as a whole process timed from
here; p50/p99 of both and the difference of the medians.
"""
import json, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agents_benchmark import env, percentile, print_and_record, run, section_lines, table_row  # noqa: E402

def timed(argv, environment):
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    return (time.perf_counter() - started) * 1000

def measure(engine):
    base, work = env("GS_BASE_URL"), env("WORK")
    runs = int(env("BENCH_CLI_RUNS", "60"))
    config = os.path.join(work, f"cli-{engine}")
    environment = {**os.environ, "GSTACKS_CONFIG_DIR": config}
    subprocess.run([env("BIN"), "login", base, "--email", env("GSTACKS_ADMIN_EMAIL"), "--password-stdin"],
                   input=env("GSTACKS_ADMIN_PASSWORD") + "\n", text=True, check=True, env=environment, stdout=subprocess.DEVNULL)
    cli = [env("BIN"), "whoami"]
    curl = ["curl", "-s", "-f", "-H", f"Cookie: {env('GS_COOKIE')}", f"{base}/v1/auth/session"]
    for _ in range(5):  # warm the page cache and the server's connection handling
        timed(cli, environment)
        timed(curl, environment)
    whoami, reference = [], []
    for _ in range(runs):
        whoami.append(timed(cli, environment))
        reference.append(timed(curl, environment))
    print(json.dumps({"engine": engine, "runs": runs,
                      "whoami_p50_ms": statistics.median(whoami), "whoami_p99_ms": percentile(whoami, 99),
                      "curl_p50_ms": statistics.median(reference), "curl_p99_ms": percentile(reference, 99)}))

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Command-line start-up", "scripts/benchmark-cli.sh",
                          "Whole processes timed from a Python driver, interleaved; the release binary; client and server share the 2 cores.", results)
    row = table_row(lines, results)
    row("`gstacks whoami`, p50 / p99", lambda r: f"{r['whoami_p50_ms']:.1f} ms / {r['whoami_p99_ms']:.1f} ms ({r['runs']} runs)")
    row("… reference: `curl -s` of GET /v1/auth/session, p50 / p99", lambda r: f"{r['curl_p50_ms']:.1f} ms / {r['curl_p99_ms']:.1f} ms")
    row("Over curl, p50 (target < 50 ms)", lambda r: f"{r['whoami_p50_ms'] - r['curl_p50_ms']:.1f} ms")
    print_and_record(lines, "Command-line start-up", "scripts/benchmark-cli.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
