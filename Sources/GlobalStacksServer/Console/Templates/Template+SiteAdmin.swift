extension ConsoleTemplates {
    /// `/admin/site/agents`: agents of the managed clusters awaiting approval.
    static let siteAgents = """
        {{<layout}}{{$content}}
        <h1>Agents to approve</h1>
        <p class="muted">Hosts that enrolled into a managed cluster with a provisioning token. An agent takes no work until it is approved.</p>
        {{#message}}<p class="notice error" role="alert" id="agents-error">{{message}}</p>{{/message}}
        <table class="table" id="agents-table">
          <caption class="visually-hidden">Agents awaiting approval</caption>
          <thead><tr><th scope="col">Agent</th><th scope="col">Cluster</th><th scope="col">Platform</th><th scope="col">Capabilities</th><th scope="col">Last heartbeat</th><th scope="col">Decision</th></tr></thead>
          <tbody>
            {{#agents}}
            <tr id="agent-{{id}}" data-agent="{{name}}">
              <td><strong>{{name}}</strong> <span class="pill status-{{status}}">{{status}}</span><br><span class="muted small">enrolled {{createdAt}}</span></td>
              <td>{{cluster}}</td>
              <td>{{platform}}{{#region}} · {{region}}{{/region}}</td>
              <td class="small">{{capabilities}}</td>
              <td>{{lastHeartbeat}}</td>
              <td class="actions">
                <form method="post" action="/admin/site/agents/{{id}}/approval">
                  <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
                  <input type="hidden" name="decision" value="approve">
                  <button type="submit" class="button small primary" id="approve-agent-{{id}}" aria-label="Approve {{name}}">Approve</button>
                </form>
                <form method="post" action="/admin/site/agents/{{id}}/approval">
                  <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
                  <input type="hidden" name="decision" value="reject">
                  <button type="submit" class="button small danger" id="reject-agent-{{id}}" aria-label="Reject {{name}}">Reject</button>
                </form>
              </td>
            </tr>
            {{/agents}}
            {{^agents}}<tr><td colspan="6" class="muted" id="agents-none">No agent is waiting for approval.</td></tr>{{/agents}}
          </tbody>
        </table>
        {{/content}}{{/layout}}
        """

    /// `/admin/site/reviews`: submitted releases, oldest first, with what each asks for and the automated findings.
    static let siteReviews = """
        {{<layout}}{{$content}}
        <h1>Review queue</h1>
        {{#message}}<p class="notice error" role="alert" id="reviews-error">{{message}}</p>{{/message}}
        {{^releases}}<p class="notice" id="reviews-none">No release is waiting for review.</p>{{/releases}}
        {{#releases}}
        <article class="panel review" id="release-{{id}}" data-extension="{{key}}" aria-labelledby="release-{{id}}-heading">
          <h2 id="release-{{id}}-heading">{{name}} {{version}} <span class="muted small"><code>{{key}}</code> · by {{publisher}} · submitted {{submittedAt}}</span></h2>
          {{#keyRevoked}}<p class="notice error">Its signing key was revoked: {{keyRevoked}}</p>{{/keyRevoked}}
          <dl class="facts">
            <dt>Permissions</dt><dd>{{permissions}}</dd>
            <dt>Network access</dt><dd>{{egress}}</dd>
            <dt>Agent capabilities</dt><dd>{{capabilities}}</dd>
            <dt>Manifest digest</dt><dd><code>{{manifestDigest}}</code></dd>
            <dt>Artifact digest</dt><dd><code>{{artifactDigest}}</code></dd>
          </dl>
          <h3>Automated checks</h3>
          <ul class="list findings">
            {{#findings}}<li class="finding-{{severity}}"><span class="pill">{{severity}}</span> <strong>{{check}}</strong> {{detail}}</li>{{/findings}}
            {{^findings}}<li class="muted">No findings recorded.</li>{{/findings}}
          </ul>
          <div class="decisions">
            <form method="post" action="/admin/site/reviews/{{id}}/decision" class="stack">
              <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
              <input type="hidden" name="decision" value="approve">
              <label class="inline"><input type="checkbox" name="publish" value="public" id="publish-release-{{id}}" checked> Publish it to every tenant's catalog right away</label>
              <button type="submit" class="button primary" id="approve-release-{{id}}">Approve</button>
            </form>
            <form method="post" action="/admin/site/reviews/{{id}}/decision" class="stack">
              <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
              <input type="hidden" name="decision" value="reject">
              <label for="reject-reason-{{id}}">Reason (the publisher sees it)</label>
              <textarea id="reject-reason-{{id}}" name="reason" rows="2" required maxlength="1000"></textarea>
              <button type="submit" class="button danger" id="reject-release-{{id}}">Reject</button>
            </form>
          </div>
        </article>
        {{/releases}}
        {{/content}}{{/layout}}
        """
}
