"""CLI start-up benchmark against one running `gstacks server` (see scripts/benchmark-cli.sh).

Usage: cli_benchmark.py measure ENGINE   (environment: GS_BASE_URL, GS_COOKIE, BIN, WORK, BENCH_*)
       cli_benchmark.py report RESULTS   (prints the markdown section; BENCH_RECORD=1 writes docs/benchmarks.md)

measure signs the release `gstacks` in (a context in a fresh configuration directory), then runs BENCH_CLI_ROUNDS
rounds of BENCH_CLI_RUNS, interleaved: `gstacks whoami` (process start, reading the context, one GET
/v1/auth/session, printing) and the reference `curl -s` of the same endpoint with the same session cookie, each as
a whole process timed from here. Reported: the median over rounds of each round's p50, the p99 of all samples, and
`gstacks --help` (start-up alone, no request) the same way.
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
    runs = int(env("BENCH_CLI_RUNS", "30"))
    rounds = int(env("BENCH_CLI_ROUNDS", "5"))
    config = os.path.join(work, f"cli-{engine}")
    environment = {**os.environ, "GSTACKS_CONFIG_DIR": config}
    subprocess.run([env("BIN"), "login", base, "--email", env("GSTACKS_ADMIN_EMAIL"), "--password-stdin"],
                   input=env("GSTACKS_ADMIN_PASSWORD") + "\n", text=True, check=True, env=environment, stdout=subprocess.DEVNULL)
    cli = [env("BIN"), "whoami"]
    curl = ["curl", "-s", "-f", "-H", f"Cookie: {env('GS_COOKIE')}", f"{base}/v1/auth/session"]
    for _ in range(5):  # warm the page cache and the server's connection handling
        timed(cli, environment)
        timed(curl, environment)
    samples = {"whoami": [], "curl": [], "help": []}
    medians = {"whoami": [], "curl": [], "help": []}
    for _ in range(rounds):
        round_samples = {"whoami": [], "curl": [], "help": []}
        for _ in range(runs):
            round_samples["whoami"].append(timed(cli, environment))
            round_samples["curl"].append(timed(curl, environment))
            round_samples["help"].append(timed([env("BIN"), "--help"], environment))
        for name, values in round_samples.items():
            samples[name] += values
            medians[name].append(statistics.median(values))
    print(json.dumps({"engine": engine, "runs": runs, "rounds": rounds,
                      "whoami_p50_ms": statistics.median(medians["whoami"]), "whoami_p99_ms": percentile(samples["whoami"], 99),
                      "curl_p50_ms": statistics.median(medians["curl"]), "curl_p99_ms": percentile(samples["curl"], 99),
                      "help_p50_ms": statistics.median(medians["help"])}))

def report(path):
    results = [json.loads(line) for line in open(path) if line.strip()]
    lines = section_lines("Command-line start-up", "scripts/benchmark-cli.sh",
                          "Whole processes timed from a Python driver, interleaved; p50 = the median of the rounds' medians; the release binary; client and server share the 2 cores.", results)
    row = table_row(lines, results)
    row("`gstacks whoami`, p50 / p99", lambda r: f"{r['whoami_p50_ms']:.1f} ms / {r['whoami_p99_ms']:.1f} ms ({r['rounds']} rounds of {r['runs']})")
    row("… reference: `curl -s` of GET /v1/auth/session, p50 / p99", lambda r: f"{r['curl_p50_ms']:.1f} ms / {r['curl_p99_ms']:.1f} ms")
    row("… `gstacks --help` (start-up alone, no request), p50", lambda r: f"{r['help_p50_ms']:.1f} ms")
    row("Over curl, p50 (target < 50 ms)", lambda r: f"{r['whoami_p50_ms'] - r['curl_p50_ms']:.1f} ms")
    print_and_record(lines, "Command-line start-up", "scripts/benchmark-cli.sh")

if __name__ == "__main__":
    run(measure, report, __doc__)
