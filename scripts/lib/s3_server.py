#!/usr/bin/env python3
"""A local S3-compatible server (moto's server mode, from PyPI) for tests of the S3 client, the S3 content store and
the S3 object-store extension, with boto3 beside it as the reference client the tests check buckets with.

Standard library only; moto and boto3 live in their own venv (default: <repo>/.venv-s3, override with --venv or
S3_SERVER_VENV). Documentation: docs/object-storage.md.

    python3 scripts/lib/s3_server.py setup                 # venv + moto[server] and boto3, pinned (pip)
    python3 scripts/lib/s3_server.py start [--port 0]      # -> one JSON line {"ready": true, "endpoint": ..., "pid": ...}
        once the server answers, then stays in the foreground until SIGTERM/SIGINT (moto is stopped with it)

moto accepts any credentials unless told to check them: `start` sets INITIAL_NO_AUTH_ACTION_COUNT so that only the
first three requests go unchecked, makes them itself (an IAM user allowed s3:*, and its access key, with boto3), and
prints that key pair in the ready line. Every later request is authenticated and authorized as S3 would: a wrong
secret answers SignatureDoesNotMatch, an unknown key InvalidAccessKeyId.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from child_process import dies_with_parent  # noqa: E402

MOTO_VERSION = "5.2.5"
BOTO3_VERSION = "1.44.5"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VENV = os.environ.get("S3_SERVER_VENV", os.path.join(REPO_ROOT, ".venv-s3"))
# Run with the venv's python once the server answers: the three unchecked requests that create the test credentials.
BOOTSTRAP = """
import json, sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="gstacks-tests")
iam.put_user_policy(UserName="gstacks-tests", PolicyName="s3", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="gstacks-tests")["AccessKey"]
print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}))
"""
UNCHECKED_REQUESTS = 3


class Failure(Exception):
    pass


def installed_versions(py):
    probe = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('moto'), m.version('boto3'))"],
                           capture_output=True, text=True)
    return probe.stdout.split() if probe.returncode == 0 else []


def cmd_setup(args):
    venv = os.path.abspath(args.venv)
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    if installed_versions(py) == [MOTO_VERSION, BOTO3_VERSION]:
        print(f"moto {MOTO_VERSION} and boto3 {BOTO3_VERSION} already installed in {venv}")
        return 0
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"moto[server]=={MOTO_VERSION}", f"boto3=={BOTO3_VERSION}"], check=True)
    print(f"moto and boto3 installed in {venv}")
    return 0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(endpoint, deadline, proc):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failure(f"moto exited with status {proc.returncode} before it was ready")
        try:
            # moto's own health page, unauthenticated.
            with urllib.request.urlopen(endpoint + "/moto-api/", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            pass
        time.sleep(0.2)
    raise Failure(f"moto at {endpoint} did not answer in time")


def cmd_start(args):
    python = os.path.join(os.path.abspath(args.venv), "bin", "python")
    server = os.path.join(os.path.abspath(args.venv), "bin", "moto_server")
    if not os.path.exists(server):
        raise Failure(f"{server} not found; run `{sys.argv[0]} setup` first")
    port = args.port or free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONUNBUFFERED="1", INITIAL_NO_AUTH_ACTION_COUNT=str(UNCHECKED_REQUESTS))
    proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env, preexec_fn=dies_with_parent(signal.SIGKILL))

    def stop(*_):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        wait_ready(endpoint, time.monotonic() + args.ready_timeout, proc)
        made = subprocess.run([python, "-c", BOOTSTRAP, endpoint], capture_output=True, text=True)
        if made.returncode != 0:
            raise Failure("could not create the test credentials: " + made.stderr[-2000:])
    except Failure:
        if proc.poll() is None:
            proc.kill()
        raise
    info = {"ready": True, "endpoint": endpoint, "port": port, "pid": os.getpid(), "moto_pid": proc.pid,
            "region": "us-east-1", **json.loads(made.stdout), "python": python}
    print(json.dumps(info), flush=True)
    proc.wait()
    return proc.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", default=DEFAULT_VENV)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup")
    start = commands.add_parser("start")
    start.add_argument("--port", type=int, default=0)
    start.add_argument("--ready-timeout", type=float, default=30)
    args = parser.parse_args()
    try:
        return {"setup": cmd_setup, "start": cmd_start}[args.command](args)
    except Failure as failure:
        print(f"s3_server: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
