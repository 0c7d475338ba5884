extension ConsoleTemplates {
    /// `/admin/t/{external_id}/sandboxes/new`: the form that creates a sandbox.
    static let sandboxNew = """
        {{<layout}}{{$content}}
        <h1>New sandbox</h1>
        {{#message}}<p class="notice error" role="alert" id="sandbox-message">{{message}}</p>{{/message}}
        {{#form}}
        <form method="post" action="{{base}}/sandboxes/new" class="grid-form panel" id="new-sandbox-form">
          <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
          <label for="sandbox-name">Name</label>
          <input id="sandbox-name" name="name" value="{{name}}" maxlength="63" aria-describedby="sandbox-name-help">
          <p id="sandbox-name-help" class="help">Optional: letters, digits and dashes.</p>
          <label for="sandbox-command">Command</label>
          <input id="sandbox-command" name="command" value="{{command}}" placeholder="sleep infinity" aria-describedby="sandbox-command-help">
          <p id="sandbox-command-help" class="help">A command line for <code>/bin/sh -c</code>, e.g. <code>python3 -m http.server 8000</code>. Empty: <code>sleep infinity</code>, a sandbox to work in with the terminal and files.</p>
          <label for="sandbox-cpu">CPU</label>
          <input id="sandbox-cpu" name="cpu" value="{{cpu}}" required aria-describedby="sandbox-cpu-help">
          <p id="sandbox-cpu-help" class="help">Cores (<code>1</code>, <code>0.5</code>) or millicores (<code>500m</code>).</p>
          <label for="sandbox-memory">Memory</label>
          <input id="sandbox-memory" name="memory" value="{{memory}}" required aria-describedby="sandbox-memory-help">
          <p id="sandbox-memory-help" class="help">For example <code>512Mi</code> or <code>2Gi</code>.</p>
          <label for="sandbox-network">Network</label>
          <span><input type="checkbox" id="sandbox-network" name="network" value="on"{{#network}} checked{{/network}}> May reach the network</span>
          <button type="submit" class="button primary" id="create-sandbox">Create sandbox</button>
        </form>
        {{/form}}
        {{/content}}{{/layout}}
        """

    /// `/admin/t/{external_id}/sandboxes/{id}`: one sandbox, its actions and its output (followed live).
    static let sandboxDetail = """
        {{<layout}}{{$content}}
        {{#sandbox}}
        <h1>{{name}} <span class="muted small">sandbox</span></h1>
        {{/sandbox}}
        {{#message}}<p class="notice error" role="alert" id="sandbox-message">{{message}}</p>{{/message}}
        {{#sandbox}}
        <table class="table" id="sandbox-summary" data-live="{{base}}/sandboxes.json">
          <caption class="visually-hidden">State</caption>
          <thead><tr><th scope="col">State</th><th scope="col">Since</th><th scope="col">Exit status</th><th scope="col">Agent</th></tr></thead>
          <tbody>
            <tr data-sandbox="{{id}}"><td><span class="state state-{{state}}" id="sandbox-state" data-state>{{state}}</span></td>
              <td><time datetime="{{stateChangedAt}}">{{stateChangedAt}}</time></td>
              <td id="sandbox-exit-status">{{exitStatus}}{{^exitStatus}}<span class="muted">none</span>{{/exitStatus}}</td><td><code>{{agent}}</code></td></tr>
          </tbody>
        </table>
        {{#lastError}}<p class="notice warn" id="sandbox-last-error"><strong>Last error:</strong> {{lastError}}</p>{{/lastError}}
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">Actions</h2>
          <div class="actions">
            <a class="button" id="sandbox-terminal-link" href="{{href}}/terminal">Terminal</a>
            <a class="button" id="sandbox-files-link" href="{{href}}/files">Files</a>
            {{#actions}}
            <form method="post" action="{{href}}/actions/{{name}}">
              <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
              <button type="submit" class="button{{#danger}} danger{{/danger}}" id="sandbox-{{name}}">{{label}}</button>
            </form>
            {{/actions}}
          </div>
        </section>
        <section aria-labelledby="spec-heading">
          <h2 id="spec-heading">Specification</h2>
          <dl class="facts" id="sandbox-spec">
            <dt>Id</dt><dd><code>{{id}}</code></dd>
            <dt>Command</dt><dd><code>{{command}}</code></dd>
            <dt>CPU</dt><dd>{{cpu}}</dd>
            <dt>Memory</dt><dd>{{memory}}</dd>
            <dt>Storage</dt><dd>{{storage}}</dd>
            <dt>Network</dt><dd>{{network}}</dd>
            <dt>Created</dt><dd><time datetime="{{createdAt}}">{{createdAt}}</time></dd>
          </dl>
        </section>
        <section aria-labelledby="output-heading">
          <h2 id="output-heading">Output</h2>
          <p class="muted small">Followed live while the page is open (the output appears once the sandbox has started).</p>
          <pre class="output" id="sandbox-output" tabindex="0" aria-label="Output" data-follow="{{href}}/output.json" data-offset="0"></pre>
        </section>
        {{/sandbox}}
        {{/content}}{{/layout}}
        """

    /// `/admin/t/{external_id}/sandboxes/{id}/files?path=dir`: a directory of the sandbox, downloads and an upload.
    static let sandboxFiles = """
        {{<layout}}{{$content}}
        <h1>Files of <a href="{{sandbox.href}}">{{sandbox.name}}</a></h1>
        {{#notice}}<p class="notice" role="status" id="files-notice">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice error" role="alert" id="files-message">{{message}}</p>{{/message}}
        <nav aria-label="Directory" class="crumbs" id="files-path">
          {{#crumbs}}<span>/</span><a href="{{href}}">{{name}}</a>{{/crumbs}}
        </nav>
        {{#listed}}
        <table class="table" id="sandbox-files">
          <caption class="visually-hidden">Entries of {{directory}}</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Size</th><th scope="col">Modified</th></tr></thead>
          <tbody>
            {{#parent}}<tr data-file=".."><td><a href="{{parent}}" id="files-parent">..</a></td><td>directory</td><td></td><td></td></tr>{{/parent}}
            {{#rows}}
            <tr data-file="{{name}}"><td>{{#href}}<a href="{{href}}"{{^isDirectory}} download{{/isDirectory}}>{{name}}{{#isDirectory}}/{{/isDirectory}}</a>{{/href}}{{^href}}{{name}}{{/href}}</td>
              <td>{{kind}}</td><td>{{size}}</td><td><time datetime="{{modifiedAt}}">{{modifiedAt}}</time></td></tr>
            {{/rows}}
            {{^rows}}<tr><td colspan="4" class="muted">This directory is empty.</td></tr>{{/rows}}
          </tbody>
        </table>
        {{#truncated}}<p class="muted">Only the first entries are shown.</p>{{/truncated}}
        <section class="panel" aria-labelledby="upload-heading">
          <h2 id="upload-heading">Upload into {{directory}}</h2>
          <form method="post" action="{{uploadAction}}" enctype="multipart/form-data" class="grid-form" id="upload-form">
            <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
            <label for="upload-file">File</label>
            <input type="file" id="upload-file" name="file" required aria-describedby="upload-help">
            <p id="upload-help" class="help">At most {{maximumFileSize}}; a file of the same name is replaced.</p>
            <button type="submit" class="button primary" id="upload-submit">Upload</button>
          </form>
        </section>
        {{/listed}}
        {{/content}}{{/layout}}
        """

    /// `/admin/t/{external_id}/sandboxes/{id}/terminal`: a shell in the sandbox (needs JavaScript).
    static let sandboxTerminal = """
        {{<layout}}
        {{$head}}
        {{#xterm}}<link rel="stylesheet" href="/admin/assets/xterm/xterm.css"><script src="/admin/assets/xterm/xterm.js" defer></script>{{/xterm}}
        <script src="/admin/assets/terminal.js" defer></script>
        {{/head}}
        {{$content}}
        <h1>Terminal of <a href="{{sandbox.href}}">{{sandbox.name}}</a></h1>
        {{^sandbox.running}}<p class="notice warn" id="terminal-not-running">This sandbox is {{sandbox.state}}; a shell needs it running.</p>{{/sandbox.running}}
        <noscript><p class="notice">The terminal needs JavaScript.</p></noscript>
        <p id="terminal-status" role="status" class="muted">Connecting…</p>
        <div id="terminal" class="terminal-host" data-stream="{{stream}}" data-xterm="{{xterm}}"></div>
        <pre id="terminal-output" class="terminal" tabindex="0" aria-label="Terminal output" aria-live="polite" hidden></pre>
        <form id="terminal-form" class="terminal-line" hidden>
          <label for="terminal-input">Command</label>
          <input id="terminal-input" name="line" autocomplete="off" spellcheck="false">
          <button type="submit" class="button" id="terminal-send">Send</button>
          <button type="button" class="button" id="terminal-interrupt">Ctrl-C</button>
        </form>
        <p><button type="button" class="button" id="terminal-reconnect" hidden>Reconnect</button></p>
        {{/content}}
        {{/layout}}
        """
}
