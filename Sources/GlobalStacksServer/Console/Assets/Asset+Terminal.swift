extension Asset {
    /// The terminal page's script: a shell in the sandbox over the streaming exec WebSocket (docs/workspace.md).
    /// With xterm.js loaded, a real terminal; without it, a line-mode terminal: an input line sent with a newline,
    /// the output (without the terminal's escape sequences) appended to a `pre`. Both run on a pseudo-terminal.
    static let terminal = #"""
        "use strict";
        (function () {
          var host = document.getElementById("terminal");
          if (!host) { return; }
          var status = document.getElementById("terminal-status");
          var output = document.getElementById("terminal-output");
          var form = document.getElementById("terminal-form");
          var input = document.getElementById("terminal-input");
          var interrupt = document.getElementById("terminal-interrupt");
          var reconnect = document.getElementById("terminal-reconnect");
          var useXterm = host.getAttribute("data-xterm") === "true" && typeof window.Terminal === "function";
          var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + host.getAttribute("data-stream");
          var encoder = new TextEncoder();
          var socket = null;
          var term = null;
          var columns = 120, rows = 32;

          function say(text) { status.textContent = text; }

          // Line mode shows text, not a screen: drop the terminal's escape sequences (colours, cursor moves).
          function plain(text) {
            return text.replace(/\u001b\[[0-9;?]*[ -\/]*[@-~]/g, "").replace(/\u001b\][^\u0007]*\u0007/g, "").replace(/\r+\n?/g, "\n");
          }

          function show(text) {
            if (term) { term.write(text); return; }
            output.textContent += plain(text);
            output.scrollTop = output.scrollHeight;
          }

          function send(bytes) {
            if (socket && socket.readyState === WebSocket.OPEN) { socket.send(bytes); }
          }

          if (useXterm) {
            term = new window.Terminal({ cols: columns, rows: rows, cursorBlink: true });
            term.open(host);
            var onData = function (data) { send(encoder.encode(data)); };
            if (typeof term.onData === "function") { term.onData(onData); } else { term.on("data", onData); }
            host.classList.add("terminal-xterm");
          } else {
            output.hidden = false;
            form.hidden = false;
            form.addEventListener("submit", function (event) {
              event.preventDefault();
              send(encoder.encode(input.value + "\n"));
              input.value = "";
            });
            interrupt.addEventListener("click", function () { send(new Uint8Array([3])); input.focus(); });
          }

          function connect() {
            reconnect.hidden = true;
            say("Connecting…");
            var decoder = new TextDecoder();
            socket = new WebSocket(url);
            socket.binaryType = "arraybuffer";
            socket.addEventListener("open", function () {
              // A login shell on a pseudo-terminal in both modes (so that Ctrl-C interrupts and the shell prompts).
              socket.send(JSON.stringify({
                command: ["/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi"],
                tty: { columns: columns, rows: rows }
              }));
              say("Connected.");
              if (term) { term.focus(); } else { input.focus(); }
            });
            socket.addEventListener("message", function (event) {
              if (typeof event.data === "string") {
                var message = JSON.parse(event.data);
                if (message.type === "exit") {
                  say("The shell ended" + (message.exitCode !== undefined && message.exitCode !== null ? " with exit code " + message.exitCode : "") +
                    (message.signal ? " (" + message.signal + ")" : "") + ".");
                } else if (message.type === "error") {
                  say("Error: " + message.message);
                }
                return;
              }
              // Byte 1 stdout, 2 stderr, then the bytes.
              show(decoder.decode(new Uint8Array(event.data).subarray(1), { stream: true }));
            });
            socket.addEventListener("close", function () {
              if (status.textContent === "Connected." || status.textContent === "Connecting…") { say("Disconnected."); }
              reconnect.hidden = false;
            });
          }

          reconnect.addEventListener("click", connect);
          connect();
        })();
        """#
}
