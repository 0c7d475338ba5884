extension ConsoleTemplates {
    /// `/admin/t/{external_id}`: the tenant's sandboxes (live), agents, clusters and quota use.
    static let tenantDashboard = """
        {{<layout}}{{$content}}
        <h1>{{tenantName}} <span class="muted small">dashboard</span></h1>
        {{#message}}<p class="notice error" role="alert">{{message}}</p>{{/message}}
        <section aria-labelledby="quota-heading">
          <h2 id="quota-heading">Quota use</h2>
          {{^quotas}}<p class="muted">No quota applies to you here.</p>{{/quotas}}
          <div class="quotas">
            {{#quotas}}
            <div class="quota">
              <h3>{{label}}</h3>
              {{#bars}}
              <div class="bar-row">
                <span class="bar-label" id="{{id}}">{{name}}</span>
                <meter aria-labelledby="{{id}}" min="0" max="100" low="70" high="90" optimum="0" value="{{percent}}">{{percent}}%</meter>
                <span class="bar-value">{{used}} of {{limit}}</span>
              </div>
              {{/bars}}
            </div>
            {{/quotas}}
          </div>
        </section>
        <section aria-labelledby="sandboxes-heading">
          <div class="section-head">
            <h2 id="sandboxes-heading">Sandboxes</h2>
            <a class="button primary small" href="{{base}}/sandboxes/new">New sandbox</a>
          </div>
          <table class="table" data-live="{{base}}/sandboxes.json">
            <caption class="visually-hidden">Sandboxes of this tenant</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">CPU</th><th scope="col">Memory</th><th scope="col">Agent</th><th scope="col">Created</th></tr></thead>
            <tbody>
              {{#sandboxes}}
              <tr data-sandbox="{{id}}"><td><a href="{{href}}">{{name}}</a></td><td><span class="state state-{{state}}" data-state>{{state}}</span></td>
                <td>{{cpu}}</td><td>{{memory}}</td><td><code>{{agent}}</code></td><td><time datetime="{{createdAt}}">{{createdAt}}</time></td></tr>
              {{/sandboxes}}
              {{^sandboxes}}<tr><td colspan="6" class="muted">No sandboxes yet.</td></tr>{{/sandboxes}}
            </tbody>
          </table>
        </section>
        <div class="columns">
          <section aria-labelledby="agents-heading">
            <h2 id="agents-heading">Agents</h2>
            <ul class="list">
              {{#agents}}<li><strong>{{name}}</strong> <span class="pill status-{{status}}">{{status}}</span> <span class="pill">{{approval}}</span> <span class="muted">{{cluster}}</span></li>{{/agents}}
              {{^agents}}<li class="muted">No agents can take this tenant's sandboxes.</li>{{/agents}}
            </ul>
          </section>
          <section aria-labelledby="clusters-heading">
            <h2 id="clusters-heading">Clusters</h2>
            <ul class="list">
              {{#clusters}}<li><strong>{{name}}</strong> <span class="pill">{{kind}}</span> <span class="pill">{{status}}</span></li>{{/clusters}}
              {{^clusters}}<li class="muted">No clusters.</li>{{/clusters}}
            </ul>
          </section>
        </div>
        {{/content}}{{/layout}}
        """
}
