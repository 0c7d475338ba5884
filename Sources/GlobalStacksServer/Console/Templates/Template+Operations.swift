extension ConsoleTemplates {
    /// `/admin/operations`: the runs of the tenant in context.
    static let operationRuns = """
        {{<layout}}{{$content}}
        <h1>Operation runs</h1>
        {{#tenantless}}
        <p class="notice" id="runs-choose-tenant">Operation runs belong to a tenant. <a class="button small primary" id="runs-choose-tenant-link" href="{{chooseTenantHref}}">Choose a tenant</a> to see its runs.</p>
        {{/tenantless}}
        {{^tenantless}}
        <form method="get" action="/admin/operations" class="search" id="runs-filter">
          <input type="hidden" name="tenant" value="{{chrome.tenant.externalId}}">
          <label for="runs-status">Status</label>
          <select id="runs-status" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>
          <button type="submit" class="button small">Filter</button>
        </form>
        <table class="table" id="runs-table">
          <caption class="visually-hidden">Operation runs of this tenant, newest first</caption>
          <thead><tr><th scope="col">Run</th><th scope="col">Operation</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Started by</th><th scope="col">Created</th></tr></thead>
          <tbody>
            {{#runs}}
            <tr id="run-{{id}}">
              <td><a href="{{href}}">#{{id}}</a></td>
              <td>{{operation}}</td>
              <td><span class="state state-{{status}}">{{status}}</span>{{#outcome}} <span class="pill outcome-{{outcome}}">{{outcome}}</span>{{/outcome}}</td>
              <td class="small">{{#reason}}{{reason}}{{/reason}}</td>
              <td>{{startedBy}}</td>
              <td><time datetime="{{createdAt}}">{{createdAt}}</time></td>
            </tr>
            {{/runs}}
            {{^runs}}<tr><td colspan="6" class="muted">No runs.</td></tr>{{/runs}}
          </tbody>
        </table>
        {{/tenantless}}
        {{/content}}{{/layout}}
        """

    /// `/admin/operations/{run_id}`: one run and its legitimacy decision, in words.
    static let operationRun = """
        {{<layout}}{{$content}}
        <h1>Run #{{id}} <span class="muted small">{{operation}}</span></h1>
        <p class="lead" id="run-summary"><span class="state state-{{status}}">{{status}}</span>{{#outcome}} <span class="pill outcome-{{outcome}}">{{outcome}}</span>{{/outcome}} {{summary}}</p>
        {{#shortReason}}<p class="notice{{#decision}}{{^allowed}} error{{/allowed}}{{/decision}}" id="run-reason">{{shortReason}}</p>{{/shortReason}}
        <section class="panel" aria-labelledby="decision-heading" id="run-decision">
          <h2 id="decision-heading">Legitimacy decision</h2>
          {{^decision}}<p class="muted" id="decision-none">No decision yet: it is taken from the state at the time, right before the run executes.</p>{{/decision}}
          {{#decision}}
          {{#allowed}}<p class="verdict allowed" id="decision-verdict"><strong>Allowed.</strong> Every check passed against the state at the time: the run was let through.</p>{{/allowed}}
          {{^allowed}}
          <p class="verdict blocked" id="decision-verdict"><strong>Blocked.</strong> {{explanation}}</p>
          <dl class="facts" id="decision-reason">
            <dt>Reason code</dt><dd><code>{{reasonCode}}</code>{{#denialClass}} (class <code>{{denialClass}}</code>){{/denialClass}}</dd>
            {{#detail}}<dt>What was found</dt><dd>{{detail}}</dd>{{/detail}}
            {{#retryAdvice}}<dt>Starting again</dt><dd>{{retryAdvice}}</dd>{{/retryAdvice}}
          </dl>
          {{/allowed}}
          <p class="muted small" id="decision-stage">{{stage}}</p>
          {{^empty(checks)}}
          <h3>Checks, in the order they ran</h3>
          <ol class="checks" id="decision-checks">
            {{#checks}}<li id="check-{{code}}" class="{{#passed}}passed{{/passed}}{{#failed}}failed{{/failed}}">{{question}} <strong>{{result}}</strong> <code class="muted small">{{code}}</code></li>{{/checks}}
          </ol>
          {{/empty(checks)}}
          {{/decision}}
          <dl class="facts">
            <dt>Authority</dt><dd id="run-authority">{{authority}}</dd>
            <dt>Started by</dt><dd id="run-started-by">{{startedBy}}</dd>
            {{#connection}}<dt>Provider connection</dt><dd>{{connection}}</dd>{{/connection}}
            <dt>Operation type</dt><dd><code>{{operationType}}</code></dd>
          </dl>
        </section>
        <section aria-labelledby="timings-heading">
          <h2 id="timings-heading">Timings</h2>
          <dl class="facts" id="run-timings">{{#timings}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/timings}}</dl>
        </section>
        {{^empty(nextSteps)}}
        <section aria-labelledby="next-heading">
          <h2 id="next-heading">What you can do</h2>
          <ul class="list" id="run-next-steps">
            {{#nextSteps}}<li>{{#href}}<a href="{{href}}">{{label}}</a>{{/href}}{{^href}}<strong>{{label}}</strong>{{/href}}{{#description}} <span class="muted">{{description}}</span>{{/description}}{{#reference}} <code class="muted small">{{reference}}</code>{{/reference}}</li>{{/nextSteps}}
          </ul>
        </section>
        {{/empty(nextSteps)}}
        <section aria-labelledby="result-heading">
          <h2 id="result-heading">Result</h2>
          {{^result}}<p class="muted" id="run-result-none">Nothing recorded.</p>{{/result}}
          {{^empty(result)}}<dl class="facts" id="run-result">{{#result}}<dt>{{label}}</dt><dd><pre class="value">{{value}}</pre></dd>{{/result}}</dl>{{/empty(result)}}
        </section>
        {{/content}}{{/layout}}
        """
}
