#!/usr/bin/env python3
"""`gstacks mcp` driven by the official Python MCP client (the `mcp` package from PyPI, pinned), as an AI agent's client
would drive it: it spawns `gstacks mcp` over standard input and output, lists the tools, makes a sandbox, runs commands in
it, writes and reads files, sends bad input, and stops and deletes the sandbox; then it asks a `gstacks mcp` that has no
sign-in for something.

Standard library only until `run`; the client lives in its own venv (default: <repo>/.venv-mcp, override with --venv or
MCP_CHECK_VENV), and `run` re-executes itself with that venv's python. Used by
Tests/GlobalStacksServerTests/MCPServerTests.swift against a live server with a real agent.

    python3 scripts/lib/mcp_check.py setup     # venv + mcp, pinned (pip)
    python3 scripts/lib/mcp_check.py check     # exit 0 when the pinned client is installed
    python3 scripts/lib/mcp_check.py run --gstacks .build/debug/gstacks --config-dir DIR [--signed-out-config-dir DIR]

`run` uses the context that is current in DIR (GSTACKS_CONFIG_DIR of a signed-in `gstacks`, with a tenant selected).
Its last line on standard output is a JSON summary: {"ok", "mcpVersion", "tools", "sandboxId" (the one it made), "checks":
{name: bool}, "failures"};
it exits 0 when every check passed, 1 otherwise.
"""

import argparse
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinned_venv  # noqa: E402

MCP_VERSION = "2.3.0"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_VENV = os.environ.get("MCP_CHECK_VENV", os.path.join(REPO_ROOT, ".venv-mcp"))
EXPECTED_TOOLS = ["create_sandbox", "list_sandboxes", "run_command", "read_file", "write_file", "list_files", "stop_sandbox", "delete_sandbox"]
OUTPUT_LIMIT = 64 * 1024


class Failure(Exception):
    pass


def venv_python(venv):
    return pinned_venv.python(venv)


def cmd_setup(args):
    installed = pinned_venv.ensure(args.venv, "mcp", MCP_VERSION)
    print(f"mcp {MCP_VERSION} {'installed' if installed else 'already installed'} in {os.path.abspath(args.venv)}")
    return 0


def cmd_check(args):
    version = pinned_venv.installed_version(args.venv, "mcp")
    if version != MCP_VERSION:
        print(f"missing: mcp {MCP_VERSION} in {args.venv} (python3 scripts/lib/mcp_check.py setup); found {version or 'none'}")
        return 1
    print(f"mcp {MCP_VERSION} is installed in {args.venv}")
    return 0


# ---------------------------------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------------------------------

class Checks:
    """Named checks, each passed or failed with what was seen; a failure does not stop the others."""

    def __init__(self):
        self.results = {}
        self.failures = []

    def expect(self, name, passed, seen):
        self.results[name] = self.results.get(name, True) and bool(passed)
        if not passed:
            self.failures.append(f"{name}: {seen}")
            print(f"FAILED {name}: {seen}", flush=True)
        else:
            print(f"ok     {name}: {str(seen)[:160]!r}", flush=True)


def text_of(result):
    return "".join(getattr(block, "text", "") for block in result.content)


async def call(session, name, arguments):
    """A tool's result as (is_error, structured content or None, text)."""
    result = await session.call_tool(name, arguments)
    return bool(result.is_error), result.structured_content, text_of(result)


async def drive(args, checks):
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    def server(config_dir):
        return StdioServerParameters(command=os.path.abspath(args.gstacks), args=["mcp"], env={"GSTACKS_CONFIG_DIR": config_dir})

    # Anything but protocol on the server's standard output reaches the session as an exception.
    stray = []

    async def on_message(message):
        if isinstance(message, Exception):
            stray.append(repr(message))

    tools, sandbox = [], None
    async with stdio_client(server(args.config_dir)) as (read, write):
        async with ClientSession(read, write, message_handler=on_message, read_timeout_seconds=180) as session:
            initialized = await session.initialize()
            checks.expect("initialize names the server", initialized.server_info.name == "gstacks", initialized.server_info)

            listed = (await session.list_tools()).tools
            tools = [tool.name for tool in listed]
            checks.expect("every tool is listed", all(name in tools for name in EXPECTED_TOOLS), tools)
            schemas_ok = all(
                tool.input_schema.get("type") == "object" and isinstance(tool.input_schema.get("properties"), dict) and tool.description
                for tool in listed
            )
            checks.expect("each tool has a description and an object input schema", schemas_ok, [(t.name, t.input_schema) for t in listed])
            run_schema = next((tool.input_schema for tool in listed if tool.name == "run_command"), {})
            checks.expect("run_command requires sandboxId and command", set(run_schema.get("required", [])) == {"sandboxId", "command"}, run_schema)

            # A sandbox, waited for until it runs.
            failed, made, text = await call(session, "create_sandbox", {"name": "mcp-check", "labels": {"by": "mcp_check"}})
            checks.expect("create_sandbox runs one", not failed and made and made.get("state") == "running", text)
            if failed or not made:
                return tools, None, stray
            sandbox = made["id"]
            failed, listing, text = await call(session, "list_sandboxes", {})
            checks.expect("list_sandboxes shows it", not failed and any(s["id"] == sandbox and s.get("name") == "mcp-check" for s in listing["sandboxes"]), text)

            # Commands: a shell line with both streams, an argv whose exit status is not 0, cwd and env, cut output.
            failed, ran, text = await call(session, "run_command", {"sandboxId": sandbox, "command": "echo hello from mcp; echo oops >&2"})
            checks.expect("run_command returns stdout, stderr and exit code 0",
                          not failed and ran["exitCode"] == 0 and ran["stdout"] == "hello from mcp\n" and ran["stderr"] == "oops\n", text)
            failed, ran, text = await call(session, "run_command", {"sandboxId": sandbox, "command": ["sh", "-c", "exit 7"]})
            checks.expect("a failing command's exit code is a result, not a tool error", not failed and ran["exitCode"] == 7, text)
            failed, ran, text = await call(session, "run_command", {
                "sandboxId": sandbox, "command": f"head -c {OUTPUT_LIMIT + 1000} /dev/zero | tr '\\0' a"})
            cut = not failed and len(ran["stdout"]) == OUTPUT_LIMIT and any("stdout was cut" in note for note in ran.get("notes") or [])
            checks.expect("output past 64 KiB is cut, with a note", cut, text[:300])
            failed, ran, text = await call(session, "run_command", {"sandboxId": sandbox, "command": "sleep 5", "timeoutSeconds": 1})
            checks.expect("a command past its timeout is killed and says so", not failed and ran["timedOut"] is True, text)

            # Files: written (parents made), read back, listed, used by a command with cwd and env.
            content = "first line\nsecond line: ünïcödé ✓\n"
            failed, written, text = await call(session, "write_file", {"sandboxId": sandbox, "path": "work/notes/hello.txt", "content": content})
            checks.expect("write_file writes, making parent directories", not failed and written["size"] == len(content.encode()), text)
            failed, read_back, text = await call(session, "read_file", {"sandboxId": sandbox, "path": "work/notes/hello.txt"})
            checks.expect("read_file reads it back", not failed and read_back.get("content") == content and not read_back.get("binary"), text)
            failed, tail, text = await call(session, "read_file", {"sandboxId": sandbox, "path": "work/notes/hello.txt", "offset": 11})
            checks.expect("read_file reads from an offset", not failed and tail.get("content") == content[11:], text)
            failed, listing, text = await call(session, "list_files", {"sandboxId": sandbox, "path": "work/notes"})
            checks.expect("list_files lists the directory",
                          not failed and [(e["name"], e["kind"]) for e in listing["entries"]] == [("hello.txt", "file")], text)
            failed, ran, text = await call(session, "run_command", {
                "sandboxId": sandbox, "command": "cat hello.txt | wc -l; echo \"$GREETING\"", "cwd": "work/notes", "env": {"GREETING": "hi there"}})
            checks.expect("run_command honours cwd and env", not failed and ran["stdout"] == "2\nhi there\n", text)
            await call(session, "run_command", {"sandboxId": sandbox, "command": "printf 'a\\000b' > blob.bin"})
            failed, blob, text = await call(session, "read_file", {"sandboxId": sandbox, "path": "blob.bin"})
            checks.expect("read_file says a binary file is binary", not failed and blob.get("binary") is True and "content" not in blob, text)

            # Bad input and refusals are tool errors, and the server goes on serving.
            failed, _, text = await call(session, "run_command", {"sandboxId": sandbox})
            checks.expect("a missing required argument is a tool error naming it", failed and "command" in text, text)
            failed, _, text = await call(session, "run_command", {"sandboxId": sandbox, "command": "true", "timeoutSeconds": 99999})
            checks.expect("an argument out of bounds is a tool error", failed and "timeoutSeconds" in text, text)
            failed, _, text = await call(session, "read_file", {"sandboxId": "not-a-sandbox", "path": "x"})
            checks.expect("a malformed sandbox id is a tool error", failed and "sandboxId" in text, text)
            failed, _, text = await call(session, "read_file", {"sandboxId": "00000000-0000-4000-8000-000000000000", "path": "x"})
            checks.expect("an unknown sandbox is the server's refusal as a tool error", failed and text != "", text)
            failed, _, text = await call(session, "read_file", {"sandboxId": sandbox, "path": "work"})
            checks.expect("reading a directory is a tool error", failed and "directory" in text, text)
            failed, _, text = await call(session, "read_file", {"sandboxId": sandbox, "path": "../outside"})
            checks.expect("a path out of the workspace is refused", failed, text)
            failed, _, text = await call(session, "no_such_tool", {})
            checks.expect("an unknown tool is a tool error", failed and "create_sandbox" in text, text)

            # Stopped, then deleted.
            failed, stopped, text = await call(session, "stop_sandbox", {"sandboxId": sandbox})
            checks.expect("stop_sandbox stops it", not failed and stopped["state"] in ("stopped", "terminated"), text)
            failed, ran, text = await call(session, "run_command", {"sandboxId": sandbox, "command": "true"})
            checks.expect("a stopped sandbox runs no command (tool error)", failed, text)
            failed, _, text = await call(session, "delete_sandbox", {"sandboxId": sandbox})
            checks.expect("delete_sandbox removes it", not failed, text)
            failed, listing, text = await call(session, "list_sandboxes", {"includeEnded": True})
            checks.expect("a deleted sandbox is not listed as running",
                          not failed and all(s["state"] not in ("running", "stopped") for s in listing["sandboxes"] if s["id"] == sandbox), text)

    if args.signed_out_config_dir:
        async with stdio_client(server(args.signed_out_config_dir)) as (read, write):
            async with ClientSession(read, write, message_handler=on_message) as session:
                await session.initialize()
                failed, _, text = await call(session, "list_sandboxes", {})
                checks.expect("without a sign-in, a tool says so as a tool error", failed and "Not signed in" in text, text)
        # Requests piped in and standard input closed at once: every one is answered before the server ends.
        lines = [
            {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "pipe", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            {"jsonrpc": "2.0", "id": "three", "method": "tools/call", "params": {"name": "list_sandboxes", "arguments": {}}},
            # Not a JSON-RPC id: nothing answers it, and nothing may wait for it.
            {"jsonrpc": "2.0", "id": {"not": "an id"}, "method": "tools/list"},
        ]
        with anyio.fail_after(60):
            piped = await anyio.run_process([os.path.abspath(args.gstacks), "mcp"], input="".join(json.dumps(line) + "\n" for line in lines).encode(),
                                            env={**os.environ, "GSTACKS_CONFIG_DIR": args.signed_out_config_dir}, check=False)
        answers = [json.loads(line) for line in piped.stdout.decode().splitlines() if line.strip()]
        answered = sorted(str(answer.get("id")) for answer in answers if isinstance(answer.get("id"), (int, str)))
        checks.expect("every request piped in is answered before it ends, and a malformed id holds nothing up",
                      piped.returncode == 0 and answered == ["1", "2", "three"], (piped.returncode, answers))
    return tools, sandbox, stray


def cmd_run(args):
    try:
        import mcp  # noqa: F401  (only whether it is there)
    except ImportError:
        py = venv_python(args.venv)
        if not os.path.exists(py) or os.path.realpath(sys.prefix) == os.path.realpath(args.venv):
            raise Failure(f"mcp is not installed; run `python3 {sys.argv[0]} setup`")
        os.execv(py, [py, os.path.abspath(__file__)] + sys.argv[1:])
    import anyio
    import importlib.metadata

    checks = Checks()
    tools, sandbox, stray = [], None, []
    async def bounded():
        with anyio.fail_after(args.timeout):
            return await drive(args, checks)

    try:
        tools, sandbox, stray = anyio.run(bounded)
    except Exception:  # noqa: BLE001  (reported in the summary, with its traceback above it)
        traceback.print_exc(file=sys.stdout)
        checks.expect("the session ran to its end", False, traceback.format_exc(limit=3).strip().splitlines()[-1])
    checks.expect("nothing but protocol on the server's standard output", not stray, stray)
    summary = {
        "ok": not checks.failures and bool(checks.results),
        "mcpVersion": importlib.metadata.version("mcp"),
        "tools": tools,
        "sandboxId": sandbox,
        "checks": checks.results,
        "failures": checks.failures,
    }
    print(json.dumps(summary), flush=True)
    return 0 if summary["ok"] else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", default=DEFAULT_VENV)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup")
    commands.add_parser("check")
    run = commands.add_parser("run")
    run.add_argument("--gstacks", required=True, help="the gstacks binary")
    run.add_argument("--config-dir", required=True, help="GSTACKS_CONFIG_DIR of a signed-in gstacks with a tenant selected")
    run.add_argument("--signed-out-config-dir", help="an empty GSTACKS_CONFIG_DIR, to check the answer without a sign-in")
    run.add_argument("--timeout", type=float, default=300, help="seconds the whole run may take [300]")
    args = parser.parse_args()
    try:
        return {"setup": cmd_setup, "check": cmd_check, "run": cmd_run}[args.command](args)
    except Failure as failure:
        print(f"mcp_check: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
