extension Asset {
    /// Progressive enhancement only: every page works without it, except the terminal and live updates.
    static let script = #"""
        "use strict";
        (function () {
          // A select marked data-autosubmit submits its form when changed (the button stays for keyboard and no-JS use).
          document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
            select.addEventListener("change", function () { if (select.value) { select.form.submit(); } });
          });

          // Tables marked data-live="url" refresh their sandboxes' states every two seconds.
          document.querySelectorAll("table[data-live]").forEach(function (table) {
            var url = table.getAttribute("data-live");
            function refresh() {
              fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
                .then(function (response) { return response.ok ? response.json() : null; })
                .then(function (body) {
                  if (!body) { return; }
                  var known = {};
                  body.sandboxes.forEach(function (sandbox) {
                    known[sandbox.id] = true;
                    var row = table.querySelector('tr[data-sandbox="' + sandbox.id + '"]');
                    if (!row) { table.setAttribute("data-stale", "true"); return; }
                    var cell = row.querySelector("[data-state]");
                    if (cell && cell.textContent !== sandbox.state) {
                      cell.textContent = sandbox.state;
                      cell.className = "state state-" + sandbox.state;
                    }
                  });
                })
                .catch(function () {});
            }
            setInterval(refresh, 2000);
          });

          // Live output: a <pre data-follow="url"> appends what the sandbox writes. One request at a time (an answer
          // says where the next one starts); at once again while the answer says there is "more".
          document.querySelectorAll("pre[data-follow]").forEach(function (pre) {
            var url = pre.getAttribute("data-follow");
            var offset = parseInt(pre.getAttribute("data-offset") || "0", 10);
            function follow() {
              var more = false;
              fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "offset=" + offset, { credentials: "same-origin" })
                .then(function (response) { return response.ok ? response.json() : null; })
                .then(function (body) {
                  if (!body) { return; }
                  if (body.text) { pre.textContent += body.text; pre.scrollTop = pre.scrollHeight; }
                  offset = body.offset;
                  more = body.more === true;
                })
                .catch(function () {})
                .then(function () { setTimeout(follow, more ? 0 : 1000); });
            }
            setTimeout(follow, 1000);
          });
        })();
        """#
}
