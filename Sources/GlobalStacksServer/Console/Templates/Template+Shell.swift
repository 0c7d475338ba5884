extension ConsoleTemplates {
    static let signIn = """
        {{<bare}}{{$content}}
        <h1>Sign in</h1>
        {{#message}}<p class="notice error" role="alert">{{message}}</p>{{/message}}
        <form method="post" action="/admin/sign-in" class="stack">
          <input type="hidden" name="csrf_token" value="{{csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}" autofocus>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required>
          <button type="submit" class="button primary">Sign in</button>
        </form>
        {{#hasProviders}}
        <div class="divider"><span>or</span></div>
        {{#providers}}
        <form method="post" action="/admin/sign-in/device" class="stack">
          <input type="hidden" name="csrf_token" value="{{csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          <input type="hidden" name="provider" value="{{name}}">
          <button type="submit" class="button">Sign in with {{name}}</button>
        </form>
        {{/providers}}
        {{/hasProviders}}
        {{/content}}{{/bare}}
        """

    static let deviceSignIn = """
        {{<bare}}{{$content}}
        <h1>Sign in with {{provider}}</h1>
        <p>Open <a href="{{verificationURI}}" rel="noopener noreferrer" target="_blank">{{verificationURI}}</a> and enter this code:</p>
        <p class="user-code" aria-label="Your code">{{userCode}}</p>
        {{#message}}<p class="notice" role="status">{{message}}</p>{{/message}}
        <p class="muted">The code expires at {{expiresAt}}. When you have approved it there, continue here.</p>
        <form method="post" action="/admin/sign-in/device/complete" class="stack" data-device-poll>
          <input type="hidden" name="csrf_token" value="{{csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          <button type="submit" class="button primary">Continue</button>
        </form>
        {{/content}}{{/bare}}
        """

    static let chooseWorkspace = """
        {{<layout}}{{$content}}
        <h1>Choose an organization</h1>
        {{#missing}}<p class="notice" role="status">Your session has no organization it can use any more. Choose one to continue{{#next}} to <code>{{next}}</code>{{/next}}.</p>{{/missing}}
        <ul class="choices">
          {{#choices}}
          <li>
            <form method="post" action="/admin/switch-workspace">
              <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
              <input type="hidden" name="workspace_id" value="{{id}}">
              <input type="hidden" name="next" value="{{next}}">
              <button type="submit" class="choice{{#current}} current{{/current}}">
                <strong>{{name}}</strong> <span class="muted">{{slug}} · {{kind}}</span>{{#current}} <span class="pill">current</span>{{/current}}
              </button>
            </form>
          </li>
          {{/choices}}
        </ul>
        {{/content}}{{/layout}}
        """

    static let chooseTenant = """
        {{<layout}}{{$content}}
        <h1>Choose a tenant</h1>
        <p class="muted">Tenants of {{chrome.workspaceName}}. The one you choose stays selected in this organization until you clear it.</p>
        {{^choices}}<p class="notice">This organization has no tenants yet. <a href="/admin/workspace/tenants">Create one</a>.</p>{{/choices}}
        <ul class="choices">
          {{#choices}}
          <li>
            <form method="post" action="/admin/select-tenant">
              <input type="hidden" name="csrf_token" value="{{chrome.csrf}}">
              <input type="hidden" name="tenant_id" value="{{id}}">
              <button type="submit" class="choice"{{^operable}} disabled aria-disabled="true"{{/operable}}>
                <strong>{{name}}</strong> <code>{{externalId}}</code> <span class="pill{{^operable}} warn{{/operable}}">{{status}}</span>
              </button>
            </form>
          </li>
          {{/choices}}
        </ul>
        {{/content}}{{/layout}}
        """
}
