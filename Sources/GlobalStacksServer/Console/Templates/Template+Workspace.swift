extension ConsoleTemplates {
    /// `/admin`: the workspace at a glance, and the tenant in context when there is one.
    static let workspaceHome = """
        {{<layout}}{{$content}}
        <h1>{{chrome.workspaceName}}</h1>
        {{#chrome.tenant}}
        <section class="panel" aria-labelledby="in-context">
          <h2 id="in-context">In context: {{name}}</h2>
          <p>This organization page is showing tenant <code>{{externalId}}</code>. <a class="button small" href="{{href}}">Open its dashboard</a></p>
        </section>
        {{/chrome.tenant}}
        {{#ineligible}}<p class="notice" role="status">The tenant this session remembered here is not available ({{.}}), so no tenant is selected.</p>{{/ineligible}}
        <section aria-labelledby="tenants-heading">
          <h2 id="tenants-heading">Tenants</h2>
          {{^tenants}}<p class="notice">No tenants yet. <a href="/admin/workspace/tenants">Create the first one</a>.</p>{{/tenants}}
          <ul class="cards">
            {{#tenants}}
            <li class="card">
              <h3><a href="{{href}}">{{name}}</a></h3>
              <p><code>{{externalId}}</code> <span class="pill{{^operable}} warn{{/operable}}">{{status}}</span></p>
            </li>
            {{/tenants}}
          </ul>
        </section>
        {{/content}}{{/layout}}
        """

    /// `/admin/workspace/tenants`: the workspace's record of its tenants (the managed-tenants page).
    static let managedTenants = """
        {{<layout}}{{$content}}
        <h1>Tenants of {{chrome.workspaceName}}</h1>
        {{#message}}<p class="notice error" role="alert">{{message}}</p>{{/message}}
        <table class="table">
          <caption class="visually-hidden">Tenants</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">External id</th><th scope="col">Slug</th><th scope="col">Status</th><th scope="col">Created</th></tr></thead>
          <tbody>
            {{#tenants}}
            <tr><td><a href="{{href}}">{{name}}</a></td><td><code>{{externalId}}</code></td><td>{{slug}}</td>
              <td><span class="pill{{^operable}} warn{{/operable}}">{{status}}</span></td><td><time datetime="{{createdAt}}">{{createdAt}}</time></td></tr>
            {{/tenants}}
            {{^tenants}}<tr><td colspan="5" class="muted">No tenants yet.</td></tr>{{/tenants}}
          </tbody>
        </table>
        {{#canManage}}
        <section class="panel" aria-labelledby="new-tenant">
          <h2 id="new-tenant">New tenant</h2>
          <form method="post" action="/admin/workspace/tenants" class="grid-form">
            <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
            <label for="tenant-name">Name</label>
            <input id="tenant-name" name="name" required maxlength="200">
            <label for="tenant-slug">Slug</label>
            <input id="tenant-slug" name="slug" required pattern="[a-z0-9][a-z0-9-]*" maxlength="63" aria-describedby="slug-help">
            <p id="slug-help" class="help">Lower-case letters, digits and dashes; unique in this organization.</p>
            <label for="tenant-description">Description</label>
            <input id="tenant-description" name="description" maxlength="1000">
            <button type="submit" class="button primary">Create tenant</button>
          </form>
        </section>
        {{/canManage}}
        {{/content}}{{/layout}}
        """
}
