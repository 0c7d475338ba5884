extension Asset {
    static let stylesheet = #"""
        :root {
          --bg: #f6f7f9; --panel: #ffffff; --ink: #1b1f24; --muted: #5b6470; --line: #dde1e6;
          --accent: #2554c7; --accent-ink: #ffffff; --accent-soft: #e7eefc; --warn: #9a5b00; --warn-soft: #fff3df;
          --error: #b42318; --error-soft: #fdecea; --ok: #18794e; --ok-soft: #e3f5ec; --focus: #f59e0b;
          --radius: 8px; --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          color: var(--ink); background: var(--bg); font-size: 15px; line-height: 1.5;
        }
        * { box-sizing: border-box; }
        body { margin: 0; }
        a { color: var(--accent); }
        code, pre, .user-code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
        :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
        .skip-link { position: absolute; left: -9999px; }
        .skip-link:focus { left: 1rem; top: 1rem; background: var(--panel); padding: .5rem 1rem; z-index: 10; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .muted { color: var(--muted); }
        .small { font-size: .8em; }

        .topbar { display: flex; align-items: center; gap: 1.25rem; padding: .6rem 1.25rem; background: #111827; color: #e5e7eb; flex-wrap: wrap; }
        .topbar a { color: #fff; }
        .brand { font-weight: 700; letter-spacing: .01em; text-decoration: none; margin: 0; }
        .brand-mark { color: #7aa2ff; }
        .topbar label, .topbar .label { font-size: .75rem; text-transform: uppercase; letter-spacing: .06em; color: #9ca3af; }
        .switcher { display: flex; align-items: center; gap: .5rem; }
        .switcher select { background: #1f2937; color: #fff; border: 1px solid #374151; border-radius: 6px; padding: .3rem .5rem; }
        .tenant-context { display: flex; align-items: center; gap: .5rem; }
        .tenant-context form, .account form { display: inline; margin: 0; }
        .tenant-badge { background: #1f2937; border: 1px solid #374151; border-radius: 999px; padding: .15rem .7rem; text-decoration: none; }
        .tenant-badge code { color: #9ca3af; }
        .account { margin-left: auto; display: flex; align-items: center; gap: .75rem; }

        .frame { display: grid; grid-template-columns: 220px 1fr; min-height: calc(100vh - 52px); }
        .sidebar { background: var(--panel); border-right: 1px solid var(--line); padding: 1rem .5rem; }
        .sidebar ul { list-style: none; margin: 0; padding: 0; }
        .sidebar a { display: block; padding: .45rem .75rem; border-radius: 6px; color: var(--ink); text-decoration: none; }
        .sidebar a:hover { background: var(--bg); }
        .sidebar a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
        main { padding: 1.5rem 2rem; max-width: 1200px; }
        h1 { font-size: 1.6rem; margin: 0 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.75rem 0 .75rem; }
        h3 { font-size: 1rem; margin: 0 0 .5rem; }

        .button { display: inline-block; border: 1px solid var(--line); background: var(--panel); color: var(--ink); border-radius: 6px;
                  padding: .45rem .9rem; font: inherit; cursor: pointer; text-decoration: none; }
        .button:hover { border-color: #b8c0cc; }
        .button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
        .button.danger { background: var(--error); border-color: var(--error); color: #fff; }
        .button.small { padding: .2rem .6rem; font-size: .85rem; }
        .button.ghost { background: transparent; color: inherit; border-color: #4b5563; }
        main .button.ghost { border-color: var(--line); }

        .notice { background: var(--accent-soft); border-left: 4px solid var(--accent); padding: .6rem .9rem; border-radius: 4px; }
        .notice.error { background: var(--error-soft); border-color: var(--error); }
        .notice.warn { background: var(--warn-soft); border-color: var(--warn); }
        .pill { display: inline-block; font-size: .75rem; padding: .05rem .5rem; border-radius: 999px; background: var(--bg); border: 1px solid var(--line); color: var(--muted); }
        .pill.warn { background: var(--warn-soft); color: var(--warn); border-color: #f3d19e; }
        .status-online { background: var(--ok-soft); color: var(--ok); border-color: #b7e4cb; }
        .state { font-weight: 600; font-size: .85rem; }
        .state-running { color: var(--ok); } .state-pending { color: var(--warn); } .state-failed { color: var(--error); }
        .state-hibernated { color: #6d28d9; } .state-stopped, .state-terminated { color: var(--muted); }

        .panel, .card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.25rem; box-shadow: var(--shadow); }
        .panel > :first-child, .card > :first-child { margin-top: 0; }
        .table + .panel, .table + section { margin-top: 1.5rem; }
        .cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 1rem; }
        .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
        .section-head { display: flex; align-items: center; justify-content: space-between; }
        .list { list-style: none; padding: 0; margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); }
        .list li { padding: .6rem .9rem; border-bottom: 1px solid var(--line); }
        .list li:last-child { border-bottom: 0; }

        .table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden; box-shadow: var(--shadow); }
        .table th { text-align: left; font-size: .78rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); background: #fafbfc; }
        .table th, .table td { padding: .55rem .8rem; border-bottom: 1px solid var(--line); }
        .table tr:last-child td { border-bottom: 0; }

        .quotas { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
        .quota { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; }
        .bar-row { display: grid; grid-template-columns: 90px 1fr auto; align-items: center; gap: .6rem; margin: .35rem 0; font-size: .9rem; }
        .bar-row meter { width: 100%; height: .8rem; }
        .bar-value { color: var(--muted); font-variant-numeric: tabular-nums; }

        .stack { display: grid; gap: .5rem; }
        .grid-form { display: grid; grid-template-columns: max-content minmax(200px, 420px); gap: .6rem 1rem; align-items: center; }
        .grid-form .help { grid-column: 2; margin: -.4rem 0 0; font-size: .8rem; color: var(--muted); }
        .grid-form button { grid-column: 2; justify-self: start; }
        input, select, textarea { font: inherit; padding: .45rem .6rem; border: 1px solid #c4cad3; border-radius: 6px; background: #fff; color: var(--ink); }
        textarea { min-height: 6rem; }
        fieldset { border: 1px solid var(--line); border-radius: var(--radius); }

        .choices { list-style: none; padding: 0; display: grid; gap: .6rem; max-width: 640px; }
        .choices form { margin: 0; }
        .choice { width: 100%; text-align: left; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: .8rem 1rem; font: inherit; cursor: pointer; box-shadow: var(--shadow); }
        .choice:hover { border-color: var(--accent); }
        .choice.current { border-color: var(--accent); background: var(--accent-soft); }
        .choice[disabled] { opacity: .6; cursor: not-allowed; }

        body.bare { display: grid; place-items: center; min-height: 100vh; background: linear-gradient(160deg, #111827, #1e3a8a); }
        .card.narrow { width: min(420px, 92vw); padding: 2rem; }
        .card.narrow .brand { color: var(--ink); margin-bottom: 1rem; }
        .divider { display: flex; align-items: center; gap: .75rem; color: var(--muted); margin: 1rem 0; }
        .divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
        .user-code { font-size: 1.8rem; letter-spacing: .2em; text-align: center; background: var(--bg); border-radius: var(--radius); padding: .75rem; }

        .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
        .actions form { margin: 0; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem 1.25rem; }
        .facts dt { color: var(--muted); } .facts dd { margin: 0; overflow-wrap: anywhere; }
        .crumbs { display: flex; flex-wrap: wrap; gap: .25rem; margin: 0 0 .75rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
        .terminal-line { display: flex; gap: .5rem; align-items: center; margin-top: .5rem; }
        .terminal-line input { flex: 1; font-family: ui-monospace, Menlo, Consolas, monospace; }
        .terminal-xterm { background: #000; padding: .5rem; border-radius: var(--radius); display: inline-block; }
        pre.output, .terminal { background: #0b1020; color: #d1d5db; padding: 1rem; border-radius: var(--radius); max-height: 420px; overflow: auto; white-space: pre-wrap; }
        /* Marketplace, operation runs and site administration */
        .search { display: flex; align-items: center; gap: .5rem; margin: 0 0 1rem; flex-wrap: wrap; }
        .card-title { font-size: 1.05rem; margin: 0 0 .25rem; }
        .tag { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; }
        .label-inline { color: var(--muted); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: .5rem 0; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .facts pre.value { margin: 0; white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85em; }
        .field { display: grid; gap: .25rem; margin: .6rem 0; max-width: 560px; }
        .field .help { margin: 0; font-size: .85rem; }
        fieldset.settings { padding: .5rem 1rem 1rem; margin: 0 0 1rem; }
        textarea.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; }
        .verdict { padding: .6rem .9rem; border-radius: 4px; border-left: 4px solid; }
        .verdict.allowed { background: var(--ok-soft); border-color: var(--ok); }
        .verdict.blocked { background: var(--error-soft); border-color: var(--error); }
        .checks li { margin: .25rem 0; }
        .checks li.passed strong { color: var(--ok); }
        .checks li.failed strong { color: var(--error); }
        .outcome-succeeded { background: var(--ok-soft); color: var(--ok); }
        .outcome-failed, .outcome-blocked { background: var(--error-soft); color: var(--error); }
        .actions { display: flex; gap: .4rem; }
        .actions form { margin: 0; }
        .decisions { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; margin-top: 1rem; }
        label.inline { display: flex; align-items: center; gap: .4rem; }
        .review { margin-bottom: 1.5rem; }
        @media (max-width: 800px) { .frame { grid-template-columns: 1fr; } .columns { grid-template-columns: 1fr; } }
        """#
}
