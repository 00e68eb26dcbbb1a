import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { DateTime } from 'luxon';
import type { AuditEvent, AuditFilter, AuditResult, AuditVerification } from '../../../audit/types.ts';
import type { Actor } from '../../../auth/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, field, fieldId, formatTime, formError } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { readForm, sendPage } from '../respond.ts';

const pageSize = 50;
const results: AuditResult[] = ['ok', 'denied', 'failed'];

/** The filter as typed in the form (times as `datetime-local` values in the configured zone). */
interface FilterForm {
  actor: string;
  action: string;
  result: string;
  since: string;
  until: string;
  before: string;
}

function readFilter(query: (name: string) => string | undefined): FilterForm {
  const value = (name: string) => (query(name) ?? '').trim().slice(0, 200);
  return {
    actor: value('actor'),
    action: value('action'),
    result: value('result'),
    since: value('since'),
    until: value('until'),
    before: value('before'),
  };
}

/** The operation's filter, or the fields that could not be read. */
function toFilter(
  form: FilterForm,
  timeZone: string,
): { filter: AuditFilter; errors: Partial<Record<'since' | 'until', string>> } {
  const filter: AuditFilter = { limit: pageSize };
  const errors: Partial<Record<'since' | 'until', string>> = {};
  if (form.actor) filter.actor = form.actor;
  if (form.action) filter.action = form.action;
  if ((results as string[]).includes(form.result)) filter.result = form.result as AuditResult;
  for (const name of ['since', 'until'] as const) {
    if (!form[name]) continue;
    const time = DateTime.fromISO(form[name], { zone: timeZone });
    if (time.isValid) filter[name] = time.toJSDate();
    else errors[name] = 'Enter a date and time, for example 2026-03-01 14:30.';
  }
  const before = Number(form.before);
  if (Number.isInteger(before) && before > 0) filter.beforeSeq = before;
  return { filter, errors };
}

/** The same filter for the NDJSON export of the JSON API (times in ISO 8601, no paging). */
function exportHref(filter: AuditFilter): string {
  const query = new URLSearchParams();
  if (filter.actor) query.set('actor', filter.actor);
  if (filter.action) query.set('action', filter.action);
  if (filter.result) query.set('result', filter.result);
  if (filter.since) query.set('since', filter.since.toISOString());
  if (filter.until) query.set('until', filter.until.toISOString());
  const search = query.toString();
  return `/api/v1/audit/export${search ? `?${search}` : ''}`;
}

function olderHref(form: FilterForm, beforeSeq: number): string {
  const query = new URLSearchParams();
  for (const name of ['actor', 'action', 'result', 'since', 'until'] as const)
    if (form[name]) query.set(name, form[name]);
  query.set('before', String(beforeSeq));
  return `/audit?${query}`;
}

function resultBadge(result: AuditResult): Markup {
  const kind = result === 'ok' ? 'ok' : result === 'denied' ? 'bad' : 'warn';
  return html`<span class="badge ${kind}">${result}</span>`;
}

function details(event: AuditEvent): Markup {
  const entries = Object.entries(event.details);
  if (entries.length === 0) return html``;
  const text = entries
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return html`<code class="cell-sub details">${text.length > 200 ? `${text.slice(0, 199)}…` : text}</code>`;
}

function eventTable(events: AuditEvent[], timeZone: string): Markup {
  if (events.length === 0) return html`<p class="empty panel">No event matches this filter.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>Events, newest first (times in ${timeZone})</caption>
  <thead><tr>
    <th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Result</th>
    <th scope="col">Action</th><th scope="col">Target</th>
  </tr></thead>
  <tbody>
  ${events.map(
    (event) => html`<tr>
    <td class="muted">${event.seq}</td>
    <td class="nowrap">${formatTime(event.at, timeZone, 'compact')}</td>
    <th scope="row">${event.actorLabel}${event.ip ? html`<span class="cell-sub">from ${event.ip}</span>` : ''}</th>
    <td>${resultBadge(event.result)}</td>
    <td class="break"><code>${event.action}</code>${details(event)}</td>
    <td class="break target">${event.target ? html`<code>${event.target}</code>` : ''}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

function verificationResult(verification: AuditVerification): Markup {
  if (verification.ok) {
    return alert('success', `Every one of the ${verification.checked} events is in place and unchanged.`, {
      title: 'The audit chain is intact',
    });
  }
  const shown = verification.problems.slice(0, 20);
  return html`<div class="alert alert-error" role="alert">
  <strong class="alert-title">The audit chain is broken</strong>
  <p>${verification.problems.length} problem(s) in ${verification.checked} events checked${verification.problems.length > shown.length ? ' (the first 20 below)' : ''}:</p>
  <ul>${shown.map((problem) => html`<li>#${problem.seq}${problem.id ? ` (${problem.id})` : ''}: ${problem.reason}</li>`)}</ul>
</div>`;
}

function filterForm(
  form: FilterForm,
  errors: Partial<Record<'since' | 'until', string>>,
  timeZone: string,
): Markup {
  const resultId = fieldId('result');
  return html`<form method="get" action="/audit" class="panel form form-wide" role="search" aria-label="Filter audit events">
  <div class="form-row">
    ${field({ name: 'actor', label: 'Actor', value: form.actor, hint: 'Email or id (usr_…, local).', attributes: 'spellcheck="false"' })}
    ${field({ name: 'action', label: 'Action', value: form.action, hint: 'Exact, or a prefix ending in a dot: user.', attributes: 'spellcheck="false"' })}
    <div class="field">
      <label for="${resultId}">Result</label>
      <p class="hint" id="${resultId}-hint">Outcome of the act.</p>
      <select id="${resultId}" name="result" aria-describedby="${resultId}-hint">
        <option value="">any</option>
        ${results.map((result) => html`<option value="${result}"${form.result === result ? raw(' selected') : ''}>${result}</option>`)}
      </select>
    </div>
  </div>
  <div class="form-row">
    ${field({ name: 'since', label: 'Since', type: 'datetime-local', value: form.since, hint: `In ${timeZone} time.`, error: errors.since })}
    ${field({ name: 'until', label: 'Until', type: 'datetime-local', value: form.until, hint: `In ${timeZone} time, excluded.`, error: errors.until })}
  </div>
  <div class="actions">
    <button type="submit" class="button">Filter</button>
    <a class="button secondary" href="/audit">Clear</a>
  </div>
</form>`;
}

/** `/audit`: the trail with a filter, the chain check, and the NDJSON export. */
export function auditPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const render = async (
    actor: Actor,
    csrf: string | null,
    form: FilterForm,
    verification?: AuditVerification,
  ) => {
    const { filter, errors } = toFilter(form, ui.timeZone);
    const events = Object.keys(errors).length === 0 ? await ui.deps.audit.list(filter) : [];
    const last = events.at(-1);
    return appPage({
      title: 'Audit',
      actor,
      csrf,
      current: '/audit',
      body: html`<div class="section-head">
  <h1>Audit</h1>
  <form method="post" action="/audit/verify" class="inline-form">
    ${csrfField(csrf)}
    <button type="submit" class="button secondary">Verify the chain</button>
  </form>
</div>
<p class="page-intro">Every act in Roost, who did it, from where and with what result. Each event is chained to the previous
one with an HMAC, so a changed, inserted or deleted row shows up when the chain is verified.</p>
${verification ? verificationResult(verification) : ''}
${formError(Object.keys(errors).length > 0 ? 'Some filter fields could not be read: see below.' : undefined)}
${filterForm(form, errors, ui.timeZone)}
<div class="section-head">
  <h2>Events</h2>
  <a href="${exportHref(filter)}" download>Export these events (NDJSON, oldest first)</a>
</div>
${eventTable(events, ui.timeZone)}
${last && events.length === pageSize ? html`<p class="pager"><a href="${olderHref(form, last.seq)}">Older events</a></p>` : ''}`,
    });
  };

  app.get('/audit', ui.page('audit:read'), async (context) =>
    sendPage(
      context,
      await render(
        context.get('actor'),
        context.get('csrf'),
        readFilter((name) => context.req.query(name)),
      ),
    ),
  );

  app.post('/audit/verify', ui.page('audit:read'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const verification = await ui.deps.audit.verify();
    const empty = readFilter(() => undefined);
    return sendPage(context, await render(actor, context.get('csrf'), empty, verification));
  });

  return app;
}
