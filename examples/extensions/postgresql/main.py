#!/usr/bin/env python3
"""The PostgreSQL provider: a GlobalStacks extension (globalstacks.broker.v1, see docs/broker.md and README.md).

`provision` answers how the agent runs a PostgreSQL instance as a data-plane service: its command, its one-time init
(initdb), its health check and its resources, and the endpoint its clients use. It runs nothing itself. The paths are
those the agent gives every service: its data directory at /data, its socket directory at /run/service.
"""
import json
import os
import re
import sys

POSTGRESQL_ROOT = "/usr/lib/postgresql"

# The manifest's settings schema, checked again here: every value ends up in a command line (as one argument each,
# never through a shell), so only these shapes may reach it.
MEMORY_SIZE = re.compile(r"^[1-9][0-9]{0,5}(kB|MB|GB)$")
SETTINGS = {
    "maxConnections": (100, lambda value: isinstance(value, int) and not isinstance(value, bool) and 5 <= value <= 1000),
    "sharedBuffers": ("128MB", lambda value: isinstance(value, str) and MEMORY_SIZE.match(value)),
    "workMem": ("4MB", lambda value: isinstance(value, str) and MEMORY_SIZE.match(value)),
    "cpu": ("1", lambda value: isinstance(value, str) and re.match(r"^([1-9][0-9]{0,2}|[1-9][0-9]{0,5}m)$", value)),
    "memory": ("512Mi", lambda value: isinstance(value, str) and re.match(r"^[1-9][0-9]{0,5}(Mi|Gi)$", value)),
}
INSTANCE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class Refusal(Exception):
    pass


def effective_settings(install, instance):
    """Defaults, then the install's settings, then the instance's; an unknown or malformed setting is refused by name."""
    settings = {name: default for name, (default, _) in SETTINGS.items()}
    for source in (install, instance):
        if not isinstance(source, dict):
            raise Refusal("settings must be an object")
        for name, value in source.items():
            if name not in SETTINGS:
                raise Refusal("unknown setting %r; known: %s" % (name[:64], ", ".join(sorted(SETTINGS))))
            if not SETTINGS[name][1](value):
                raise Refusal("setting %s: %r is not allowed" % (name, value if not isinstance(value, str) else value[:64]))
            settings[name] = value
    return settings


def server_binaries():
    """The newest installed major version's bin directory, as the agent's host has it (the sandbox sees its /usr)."""
    try:
        versions = sorted((int(name) for name in os.listdir(POSTGRESQL_ROOT) if name.isdigit()), reverse=True)
    except FileNotFoundError:
        versions = []
    for version in versions:
        directory = "%s/%d/bin" % (POSTGRESQL_ROOT, version)
        if all(os.access(directory + "/" + program, os.X_OK) for program in ("postgres", "initdb", "pg_isready")):
            return directory
    raise Refusal("no PostgreSQL server is installed on the agent's host (apt-get install postgresql)")


def provision(given, install_settings):
    if not isinstance(given.get("instanceId"), str) or not INSTANCE_ID.match(given["instanceId"]):
        raise Refusal("instanceId must be 1 to 64 letters, digits or '-'")
    settings = effective_settings(install_settings, given.get("settings", {}))
    bin_directory = server_binaries()
    return {
        "service": {
            "command": [
                bin_directory + "/postgres", "-D", "/data/pgdata", "-k", "/run/service",
                # Reached through the socket directory only: no TCP listener at all.
                "-c", "listen_addresses=",
                "-c", "max_connections=%d" % settings["maxConnections"],
                "-c", "shared_buffers=%s" % settings["sharedBuffers"],
                "-c", "work_mem=%s" % settings["workMem"],
            ],
            "initCommand": [
                bin_directory + "/initdb", "-D", "/data/pgdata", "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C",
            ],
            "environment": {"LC_ALL": "C"},
            "resources": {"cpu": settings["cpu"], "memory": settings["memory"]},
            "healthCheck": {
                "command": [bin_directory + "/pg_isready", "-h", "/run/service", "-U", "postgres", "-d", "postgres"],
                "intervalSeconds": 5,
                "timeoutSeconds": 3,
                "failureThreshold": 3,
            },
        },
        "endpoint": "postgresql://postgres@/postgres?host={socketDirectory}",
    }


def main():
    request = json.load(sys.stdin)
    operation = request.get("operation")
    diagnostics = []
    try:
        if operation != "provision":
            raise Refusal("unknown operation %r" % str(operation)[:64])
        install_settings = json.loads(os.environ.get("GLOBALSTACKS_SETTINGS", "{}"))
        outputs = provision(request.get("input", {}), install_settings)
        diagnostics.append("PostgreSQL from " + outputs["service"]["command"][0].rsplit("/", 1)[0])
    except Refusal as refusal:
        json.dump({"error": str(refusal), "diagnostics": diagnostics}, sys.stdout)
        return 2
    json.dump({"outputs": outputs, "diagnostics": diagnostics}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
