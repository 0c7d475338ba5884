extension ConsoleTemplates {
    /// The frame of every signed-in page: the top bar with the workspace switcher and the tenant in context, the
    /// navigation, and the page's `content`.
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#chrome}}<meta name="csrf-token" content="{{csrf}}">
        <title>{{title}} · GlobalStacks</title>{{/chrome}}
        <link rel="stylesheet" href="/admin/assets/console.css">
        <script src="/admin/assets/console.js" defer></script>
        {{$head}}{{/head}}
        </head>
        <body>
        <a class="skip-link" href="#main">Skip to content</a>
        {{#chrome}}
        <header class="topbar">
          <a class="brand" href="/admin"><span class="brand-mark" aria-hidden="true">◆</span> GlobalStacks</a>
          <form class="switcher" method="post" action="/admin/switch-workspace">
            <input type="hidden" name="csrf_token" value="{{csrf}}">
            <label for="workspace-switch">Organization</label>
            <select id="workspace-switch" name="workspace_id" data-autosubmit>
              {{^workspaceName}}<option value="" selected>Choose an organization…</option>{{/workspaceName}}
              {{#workspaces}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/workspaces}}
            </select>
            <button type="submit" class="button small">Switch</button>
          </form>
          <div class="tenant-context">
            {{#tenant}}
              <span class="label">Tenant</span>
              <a class="tenant-badge" href="{{href}}">{{name}} <code>{{externalId}}</code></a>
              {{^operable}}<span class="pill warn">{{status}}</span>{{/operable}}
              <form method="post" action="/admin/clear-tenant-context">
                <input type="hidden" name="csrf_token" value="{{csrf}}">
                <input type="hidden" name="return_to" value="{{returnTo}}">
                <button type="submit" class="button small ghost">Clear tenant</button>
              </form>
            {{/tenant}}
            {{^tenant}}{{#hasTenants}}<a class="button small ghost" href="/admin/choose-tenant">Choose a tenant</a>{{/hasTenants}}{{/tenant}}
          </div>
          <div class="account">
            <span class="who" title="{{userEmail}}">{{userName}}</span>
            <form method="post" action="/admin/sign-out">
              <input type="hidden" name="csrf_token" value="{{csrf}}">
              <button type="submit" class="button small ghost">Sign out</button>
            </form>
          </div>
        </header>
        <div class="frame">
          <nav class="sidebar" aria-label="Console sections">
            <ul>
              {{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}
            </ul>
          </nav>
          <main id="main" tabindex="-1">
            {{$content}}{{/content}}
          </main>
        </div>
        {{/chrome}}
        </body>
        </html>
        """

    /// The frame of pages shown before sign-in: no navigation, one centred card.
    static let bare = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · GlobalStacks</title>
        <link rel="stylesheet" href="/admin/assets/console.css">
        <script src="/admin/assets/console.js" defer></script>
        </head>
        <body class="bare">
        <main id="main" class="card narrow">
          <p class="brand"><span class="brand-mark" aria-hidden="true">◆</span> GlobalStacks</p>
          {{$content}}{{/content}}
        </main>
        </body>
        </html>
        """

    /// An error a person can act on.
    static let problemBare = """
        {{<bare}}{{$content}}
        <h1>{{heading}}</h1>
        <p class="notice error" role="alert">{{message}}</p>
        <p><a class="button" href="{{back}}">{{backLabel}}</a></p>
        {{/content}}{{/bare}}
        """
}
