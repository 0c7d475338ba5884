extension ConsoleTemplates {
    /// `/admin/t/{external_id}/marketplace`: what the tenant may install.
    static let marketplaceCatalog = """
        {{<layout}}{{$content}}
        <h1>Marketplace</h1>
        <form method="get" action="{{base}}/marketplace" class="search" id="catalog-search" role="search">
          <label for="catalog-q">Search extensions</label>
          <input id="catalog-q" name="q" type="search" value="{{query}}" maxlength="200">
          <button type="submit" class="button small">Search</button>
        </form>
        {{^entries}}<p class="notice" id="catalog-empty">{{#query}}No extension matches “{{query}}”.{{/query}}{{^query}}No extension is available to this tenant yet.{{/query}}</p>{{/entries}}
        <ul class="cards catalog">
          {{#entries}}
          <li class="card" id="extension-{{key}}" data-extension="{{key}}">
            <h2 class="card-title"><a id="consent-link-{{key}}" href="{{href}}">{{name}}</a> <span class="muted small">{{version}}</span></h2>
            <p class="muted small"><code>{{key}}</code> · by {{publisher}}{{#category}} · {{category}}{{/category}}</p>
            <p>{{description}}</p>
            <p class="small"><span class="label-inline">Permissions:</span> {{#permissions}}<code class="tag">{{.}}</code> {{/permissions}}{{^permissions}}none{{/permissions}}</p>
            {{#missingText}}<p class="notice warn small">Cannot run here yet: {{missingText}}.</p>{{/missingText}}
            <p>
              {{#installedVersion}}<a class="button small" href="{{installHref}}">Installed {{installedVersion}}</a>{{/installedVersion}}
              {{#needsReconsent}}<a class="button small primary" href="{{href}}">Review the upgrade</a>{{/needsReconsent}}
              {{^needsReconsent}}{{#updateAvailable}}<a class="button small primary" href="{{href}}">Update to {{version}}</a>{{/updateAvailable}}{{/needsReconsent}}
              {{^installedVersion}}<a class="button small primary" href="{{href}}">Review and install</a>{{/installedVersion}}
            </p>
          </li>
          {{/entries}}
        </ul>
        {{/content}}{{/layout}}
        """

    /// The settings controls, generated from the settings schema (a partial of the consent and install pages).
    /// Secrets are password inputs that never carry a value.
    static let settingsFields = """
        {{#settings}}
        <div class="field" id="field-{{id}}">
          <label for="{{id}}">{{label}}{{#required}} <span class="muted small">(required)</span>{{/required}}</label>
          {{#isText}}<input id="{{id}}" name="{{inputName}}" type="text" value="{{value}}" placeholder="{{placeholder}}"{{#fixedByPolicy}} disabled{{/fixedByPolicy}} aria-describedby="{{id}}-help">{{/isText}}
          {{#isNumber}}<input id="{{id}}" name="{{inputName}}" type="number" step="{{step}}" value="{{value}}" placeholder="{{placeholder}}"{{#fixedByPolicy}} disabled{{/fixedByPolicy}} aria-describedby="{{id}}-help">{{/isNumber}}
          {{#isChoice}}<select id="{{id}}" name="{{inputName}}"{{#fixedByPolicy}} disabled{{/fixedByPolicy}} aria-describedby="{{id}}-help">
            {{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}
          </select>{{/isChoice}}
          {{#isJSON}}<textarea id="{{id}}" name="{{inputName}}" class="code" rows="3"{{#fixedByPolicy}} disabled{{/fixedByPolicy}} aria-describedby="{{id}}-help">{{value}}</textarea>{{/isJSON}}
          {{#isSecret}}<input id="{{id}}" name="{{inputName}}" type="password" autocomplete="new-password" value="" placeholder="{{placeholder}}" data-secret{{#fixedByPolicy}} disabled{{/fixedByPolicy}} aria-describedby="{{id}}-help">{{/isSecret}}
          <p class="help" id="{{id}}-help">{{#help}}{{help}} {{/help}}{{#note}}<span class="muted">{{note}}</span>{{/note}}</p>
        </div>
        {{/settings}}
        """

    /// `/admin/t/{external_id}/marketplace/{extensionKey}`: the consent screen.
    static let marketplaceConsent = """
        {{<layout}}{{$content}}
        <h1>{{#isReconsent}}Consent again to {{/isReconsent}}{{^isReconsent}}Install {{/isReconsent}}{{name}} <span class="muted small">{{version}}</span></h1>
        <p class="muted"><code>{{key}}</code> · published by {{publisher}}</p>
        <p>{{description}}</p>
        {{#message}}<p class="notice error" role="alert" id="consent-error">{{message}}</p>{{/message}}
        {{#isReconsent}}<p class="notice warn" id="reconsent-notice">Installed: {{installedVersion}}. Release {{version}} is what you would consent to now; anything marked <strong>new</strong> is beyond what this tenant consented to before.</p>{{/isReconsent}}
        {{^empty(missing)}}<div class="notice warn" id="consent-missing"><p>It cannot run here yet:</p><ul>{{#missing}}<li>{{.}}</li>{{/missing}}</ul></div>{{/empty(missing)}}
        <section class="panel" aria-labelledby="grants-heading">
          <h2 id="grants-heading">What installing grants</h2>
          <p>During each invocation, in this tenant only, the extension runs in a sandbox on one of the tenant's agents (never in the control plane) and may:</p>
          <h3>Permissions</h3>
          <ul class="list" id="consent-permissions">
            {{#permissions}}
            <li data-permission="{{name}}"><strong>{{allows}}</strong> <code>{{name}}</code>{{#isNew}} <span class="pill warn">new</span>{{/isNew}}<br><span class="muted">The publisher's reason: “{{purpose}}”</span></li>
            {{/permissions}}
            {{^permissions}}<li class="muted">No access to the GlobalStacks API.</li>{{/permissions}}
          </ul>
          <h3>Network access</h3>
          <ul class="list" id="consent-egress">
            {{#egress}}<li data-host="{{host}}">Connect to <code>{{host}}</code>{{#isNew}} <span class="pill warn">new</span>{{/isNew}}</li>{{/egress}}
            {{^egress}}<li class="muted">No network access: every outbound connection is refused.</li>{{/egress}}
          </ul>
          <h3>Agent capabilities it needs</h3>
          <p id="consent-capabilities">{{#capabilities}}<code class="tag">{{.}}</code> {{/capabilities}}{{^capabilities}}<span class="muted">None beyond the extension runtime.</span>{{/capabilities}}</p>
          {{^empty(operations)}}<h3>Operations it offers</h3>
          <ul class="list" id="consent-operations">{{#operations}}<li><code>{{name}}</code> <span class="muted">on a {{targetKind}}</span>{{#uses}} · uses {{uses}}{{/uses}}</li>{{/operations}}</ul>{{/empty(operations)}}
          <h3>Exactly this content</h3>
          <dl class="facts">
            <dt>Manifest digest</dt><dd><code id="consent-manifest-digest">{{manifestDigest}}</code></dd>
            <dt>Artifact digest</dt><dd><code id="consent-artifact-digest">{{artifactDigest}}</code></dd>
          </dl>
        </section>
        {{#alreadyConsented}}<p class="notice" id="consent-current">This tenant runs this release with this consent. <a href="{{installHref}}">Open the install</a>.</p>{{/alreadyConsented}}
        {{^alreadyConsented}}
        {{#canInstall}}
        <form method="post" action="{{base}}/marketplace/{{key}}" id="install-form" class="stack">
          <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
          <input type="hidden" name="manifest_digest" value="{{manifestDigest}}">
          <input type="hidden" name="artifact_digest" value="{{artifactDigest}}">
          {{^empty(settings)}}<fieldset class="settings"><legend>Settings</legend>{{>settings-fields}}</fieldset>{{/empty(settings)}}
          <button type="submit" class="button primary" id="install-button">{{#isReconsent}}Consent and upgrade{{/isReconsent}}{{^isReconsent}}Install{{/isReconsent}}</button>
        </form>
        {{/canInstall}}
        {{^canInstall}}<p class="notice" id="consent-not-allowed">Only the workspace's owners and admins can install extensions.</p>{{/canInstall}}
        {{/alreadyConsented}}
        {{/content}}{{/layout}}
        """

    /// `/admin/t/{external_id}/installs`.
    static let marketplaceInstalls = """
        {{<layout}}{{$content}}
        <h1>Installs</h1>
        <table class="table" id="installs-table">
          <caption class="visually-hidden">Extensions installed in this tenant</caption>
          <thead><tr><th scope="col">Extension</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Changed</th></tr></thead>
          <tbody>
            {{#installs}}
            <tr id="install-{{key}}" data-extension="{{key}}">
              <td><a href="{{href}}">{{name}}</a> <code class="muted small">{{key}}</code></td>
              <td>{{version}}</td>
              <td><span class="pill{{#needsReconsent}} warn{{/needsReconsent}}">{{status}}</span>{{#statusReason}} <span class="muted small">{{statusReason}}</span>{{/statusReason}}
                {{#needsReconsent}} <a class="button small primary" href="{{consentHref}}">Review the upgrade</a>{{/needsReconsent}}</td>
              <td><time datetime="{{updatedAt}}">{{updatedAt}}</time></td>
            </tr>
            {{/installs}}
            {{^installs}}<tr><td colspan="4" class="muted">Nothing installed yet. <a href="{{base}}/marketplace">Browse the marketplace</a>.</td></tr>{{/installs}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    /// `/admin/t/{external_id}/installs/{extensionKey}`: the install, its settings and the invoke form.
    static let marketplaceInstall = """
        {{<layout}}{{$content}}
        <h1>{{name}} <span class="muted small">{{version}}</span></h1>
        <p class="muted"><code>{{key}}</code> · <span class="pill{{#needsReconsent}} warn{{/needsReconsent}}" id="install-status">{{status}}</span>{{#statusReason}} {{statusReason}}{{/statusReason}}</p>
        {{#needsReconsent}}<p class="notice warn" id="reconsent-notice">Release {{availableVersion}} asks for more than this tenant consented to; the install stays on {{version}} until someone consents. <a class="button small primary" id="reconsent-link" href="{{consentHref}}">Review what it asks for</a></p>{{/needsReconsent}}
        {{^needsReconsent}}{{#availableVersion}}<p class="notice" id="update-notice">Release {{availableVersion}} is available. <a href="{{consentHref}}">Review it</a>.</p>{{/availableVersion}}{{/needsReconsent}}
        <section class="panel" aria-labelledby="consent-heading">
          <h2 id="consent-heading">Consent held</h2>
          <dl class="facts">
            <dt>Permissions</dt><dd id="install-permissions">{{#permissions}}<code class="tag">{{.}}</code> {{/permissions}}{{^permissions}}none{{/permissions}}</dd>
            <dt>Network access</dt><dd id="install-egress">{{#egress}}<code class="tag">{{.}}</code> {{/egress}}{{^egress}}none{{/egress}}</dd>
            <dt>Manifest digest</dt><dd><code>{{manifestDigest}}</code></dd>
            <dt>Artifact digest</dt><dd><code>{{artifactDigest}}</code></dd>
          </dl>
        </section>
        <section aria-labelledby="settings">
          <h2 id="settings" tabindex="-1">Settings</h2>
          {{#saved}}<p class="notice" role="status" id="settings-saved">Settings saved.{{#reconcileRunHref}} A reconcile run started: <a href="{{reconcileRunHref}}">follow it</a>.{{/reconcileRunHref}}</p>{{/saved}}
          {{#settingsMessage}}<p class="notice error" role="alert" id="settings-error">{{settingsMessage}}</p>{{/settingsMessage}}
          {{^settings}}<p class="muted">This extension has no settings.</p>{{/settings}}
          {{^empty(settings)}}
          <form method="post" action="{{base}}/installs/{{key}}/settings" id="settings-form" class="stack">
            <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
            {{>settings-fields}}
            {{#canConfigure}}<button type="submit" class="button primary" id="settings-save">Save settings</button>{{/canConfigure}}
            {{^canConfigure}}<p class="muted">Only the workspace's owners and admins can change settings.</p>{{/canConfigure}}
          </form>
          {{/empty(settings)}}
        </section>
        <section aria-labelledby="invoke-heading">
          <h2 id="invoke-heading">Invoke</h2>
          {{^operations}}<p class="muted">This extension offers no operations.</p>{{/operations}}
          {{^empty(operations)}}
          <form method="post" action="{{base}}/installs/{{key}}/invoke#invoke-heading" id="invoke-form" class="grid-form">
            <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
            <label for="invoke-operation">Operation</label>
            <select id="invoke-operation" name="operation">{{#operations}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/operations}}</select>
            <label for="invoke-target">Cluster</label>
            <select id="invoke-target" name="target_id">{{#targets}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/targets}}{{^targets}}<option value="">No cluster available</option>{{/targets}}</select>
            <label for="invoke-input">Input (JSON)</label>
            <textarea id="invoke-input" name="input" class="code" rows="5" aria-describedby="invoke-input-help">{{invokeInput}}</textarea>
            <p class="help" id="invoke-input-help">A JSON object, checked against the operation's input schema.</p>
            <button type="submit" class="button primary" id="invoke-button">Invoke</button>
          </form>
          {{/empty(operations)}}
          {{#invokeError}}<p class="notice error" role="alert" id="invoke-error">{{invokeError}}</p>{{/invokeError}}
          {{#invokeOutput}}
          <div class="panel" id="invoke-result" role="status">
            <h3>Result of run <a href="{{runHref}}">{{jobID}}</a></h3>
            <pre class="output" id="invoke-outputs">{{outputs}}</pre>
            {{^empty(diagnostics)}}<h4>Diagnostics</h4><ul id="invoke-diagnostics">{{#diagnostics}}<li>{{.}}</li>{{/diagnostics}}</ul>{{/empty(diagnostics)}}
          </div>
          {{/invokeOutput}}
        </section>
        {{/content}}{{/layout}}
        """
}
