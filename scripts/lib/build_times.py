"""Build times of the project's own code (debug, `swift build --build-tests`), for comparing source layouts.

Three figures, each the median of --runs runs:
  own-clean : every file of ours changed and the code generated again, dependencies kept (what a layout can
              change of a clean build);
  spec      : after a one-line change to the contract (the summary of one of our additions) in every document that
              is generated (the server's Sources/GlobalStacksAPI/openapi.yaml and, while it has its own, the client's);
  handler   : after a one-line change to one handler file (a comment: its interface does not change).
Each figure is wall-clock seconds and the CPU seconds of the build processes (user + system), which a busy machine
disturbs less.
Every change is reverted and rebuilt (untimed) before the next run. Usage:
  python3 scripts/lib/build_times.py --handler Sources/GlobalStacksServer/API/Tenants/TenantsHandler.swift [--runs 2]
"""
import argparse, glob, os, resource, statistics, subprocess, sys, time


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build():
    started, cpu = time.monotonic(), cpu_seconds()
    result = subprocess.run(["swift", "build", "--build-tests"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    return time.monotonic() - started, cpu_seconds() - cpu


def touch_own_sources():
    """Every file of ours looks changed (openapi.yaml included, so the code is generated again): all our targets are
    compiled again, the dependencies are not."""
    for folder in ("Sources", "Tests"):
        for directory, _, files in os.walk(folder):
            for name in files:
                os.utime(os.path.join(directory, name))


# A linked document (the client's, linked to the contract's) is the same file: edited once, through its target.
SPECS = [path for path in glob.glob("Sources/*/openapi.yaml")
         if not os.path.islink(path) and "An agent replaces its own key;" in open(path).read()]


def edit_spec(text):
    return text.replace("An agent replaces its own key;", "An agent replaces its key;", 1)


def edit_handler(text):
    return text + "// build-time probe\n"


def changed(paths, edit, touch=False):
    originals = {path: open(path).read() for path in paths}
    for path, original in originals.items():
        if edit(original) == original:
            sys.exit(f"the change to {path} changes nothing")
        open(path, "w").write(edit(original))
    if touch:
        touch_own_sources()
    try:
        return build()
    finally:
        for path, original in originals.items():
            open(path, "w").write(original)
        build()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--handler", required=True)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    build()
    figures = {"own-clean": [], "spec": [], "handler": []}
    for _ in range(args.runs):
        figures["own-clean"].append(changed(SPECS, edit_spec, touch=True))
        figures["spec"].append(changed(SPECS, edit_spec))
        figures["handler"].append(changed([args.handler], edit_handler))
    print(f"generated documents: {', '.join(SPECS)}")
    for name, values in figures.items():
        walls, cpus = [wall for wall, _ in values], [cpu for _, cpu in values]
        print(f"{name}: median {statistics.median(walls):.1f} s wall, {statistics.median(cpus):.1f} s CPU "
              f"(runs: {', '.join(f'{wall:.1f} s / {cpu:.1f} s' for wall, cpu in values)})")


if __name__ == "__main__":
    main()
