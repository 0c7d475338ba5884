"""Build times of the project's own code (debug, `swift build --build-tests`), for comparing source layouts.

Three figures, each the median of --runs runs:
  own-clean : every file of ours changed and the code generated again, dependencies kept (what a layout can
              change of a clean build);
  spec      : after a one-line change to Sources/GlobalStacksAPI/openapi.yaml (the summary of one of our additions);
  handler   : after a one-line change to one handler file (an error message's words: its body changes, its
              interface does not). The file must contain the words "No tenant".
Every change is reverted and rebuilt (untimed) before the next run. Usage:
  python3 scripts/lib/build_times.py --handler Sources/GlobalStacksServer/Handlers/TenantsHandler.swift [--runs 2]
"""
import argparse, os, statistics, subprocess, sys, time

def build():
    started = time.monotonic()
    result = subprocess.run(["swift", "build", "--build-tests"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("build failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    return time.monotonic() - started


def touch_own_sources():
    """Every file of ours looks changed (openapi.yaml included, so the code is generated again): all our targets are
    compiled again, the dependencies are not."""
    for folder in ("Sources", "Tests"):
        for directory, _, files in os.walk(folder):
            for name in files:
                os.utime(os.path.join(directory, name))


SPEC = "Sources/GlobalStacksAPI/openapi.yaml"


def edit_spec(text, touch=False):
    if touch:
        touch_own_sources()
    return text.replace("An agent replaces its own key;", "An agent replaces its key;", 1)


def changed(path, edit):
    original = open(path).read()
    if edit(original) == original:
        sys.exit(f"the change to {path} changes nothing")
    open(path, "w").write(edit(original))
    try:
        return build()
    finally:
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
        figures["own-clean"].append(changed(SPEC, lambda text: edit_spec(text, touch=True)))
        figures["spec"].append(changed(SPEC, edit_spec))
        figures["handler"].append(changed(args.handler, lambda text: text.replace("No tenant", "No such tenant", 1)))
    for name, values in figures.items():
        print(f"{name}: median {statistics.median(values):.1f} s (runs: {', '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    main()
