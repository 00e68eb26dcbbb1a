import { type Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type Actor, can } from '../../../auth/index.ts';
import { routeAt } from '../../../core/business-hours.ts';
import { isRoostError } from '../../../core/errors.ts';
import {
  type Alert,
  actOnAlert,
  actOnAlertLink,
  createMonitor,
  createSilence,
  deleteMonitor,
  expireSilence,
  getAlert,
  getMonitor,
  listAlerts,
  listMonitors,
  listSilences,
  type Monitor,
  monitorKinds,
  recordPush,
  uptimeOf,
} from '../../../monitoring/index.ts';
import { alertLinkKey } from '../../../monitoring/serve.ts';
import { listDeliveries, listSchedules, scheduleCalendar, whoIsOnCall } from '../../../notify/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { lineChart, sparkline } from '../charts.ts';
import { alert, field, formatTime, formError, postButton } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, authPage, csrfField, type Markup } from '../layout.ts';
import { readForm, securityHeaders, seeOther, sendPage } from '../respond.ts';

const stateTone: Record<string, string> = {
  up: 'ok',
  down: 'bad',
  unknown: 'warn',
  firing: 'bad',
  pending: 'warn',
  resolved: 'ok',
};

function badge(state: string, label = state): Markup {
  return html`<span class="badge ${stateTone[state] ?? ''}" data-state="${state}">${label}</span>`;
}

function alertState(entry: Alert): Markup {
  if (entry.suppressedBy)
    return html`${badge(entry.state)} <span class="cell-sub">suppressed (${entry.suppressedBy})</span>`;
  if (entry.acknowledgedBy)
    return html`${badge(entry.state)} <span class="cell-sub">acknowledged by ${entry.acknowledgedBy}</span>`;
  return badge(entry.state);
}

function alertActions(entry: Alert, csrf: string | null, actor: Actor): Markup {
  if (entry.state === 'resolved' || !can(actor, 'monitoring:write')) return html``;
  return html`${entry.acknowledgedAt ? '' : postButton({ action: `/monitoring/alerts/${entry.id}/acknowledge`, csrf, label: 'Acknowledge', kind: 'secondary', small: true })}
${postButton({ action: `/monitoring/alerts/${entry.id}/resolve`, csrf, label: 'Resolve', kind: 'secondary', small: true })}`;
}

function alertTable(ui: Ui, alerts: Alert[], csrf: string | null, actor: Actor, caption: string): Markup {
  if (alerts.length === 0) return html`<p class="empty panel">No open alerts.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>${caption} (times in ${ui.timeZone})</caption>
  <thead><tr><th scope="col">Alert</th><th scope="col">State</th><th scope="col">Since</th><th scope="col">Route</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${alerts.map(
    (entry) => html`<tr>
    <th scope="row" class="break"><a href="/monitoring/alerts/${entry.id}">${entry.summary}</a><span class="cell-sub">${entry.severity}${entry.instanceId ? ` · ${entry.instanceId}` : ''}</span></th>
    <td>${alertState(entry)}</td>
    <td class="nowrap">${formatTime(entry.firedAt ?? entry.pendingSince, ui.timeZone, 'compact')}</td>
    <td>${entry.route ?? '—'}${entry.level > 0 ? html`<span class="cell-sub">level ${entry.level}</span>` : ''}</td>
    <td class="nowrap">${alertActions(entry, csrf, actor)}</td>
  </tr>`,
  )}</tbody>
</table></div>`;
}

function monitorTable(ui: Ui, monitors: Monitor[], trends: Map<string, Markup>): Markup {
  if (monitors.length === 0)
    return html`<p class="empty panel">There are no monitors yet. Instances get theirs when they are provisioned.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>Every monitor with its last check and its response time over the last hour</caption>
  <thead><tr><th scope="col">Monitor</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Last check</th><th scope="col">Last hour</th></tr></thead>
  <tbody>${monitors.map(
    (monitor) => html`<tr>
    <th scope="row" class="break"><a href="/monitoring/monitors/${monitor.id}">${monitor.name}</a><span class="cell-sub">every ${monitor.intervalSeconds} s${monitor.source === 'template' ? ' · from the instance template' : ''}</span></th>
    <td>${monitor.kind}</td>
    <td>${badge(monitor.state)}</td>
    <td class="break">${monitor.lastCheckedAt ? formatTime(monitor.lastCheckedAt, ui.timeZone, 'compact') : html`<span class="muted">not yet</span>`}<span class="cell-sub">${monitor.lastMessage ?? ''}</span></td>
    <td>${trends.get(monitor.id) ?? ''}</td>
  </tr>`,
  )}</tbody>
</table></div>`;
}

interface MonitorForm {
  name: string;
  kind: string;
  target: string;
  interval: string;
  error?: string;
}

function createMonitorForm(csrf: string | null, form: MonitorForm): Markup {
  return html`<section class="panel" aria-labelledby="new-monitor-heading">
  <h2 id="new-monitor-heading">New monitor</h2>
  ${formError(form.error)}
  <form method="post" action="/monitoring/monitors" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    <div class="form-row">
      ${field({ name: 'name', label: 'Name', value: form.name, required: true, attributes: 'maxlength="200"' })}
      <div class="field">
        <label for="field-kind">Kind</label>
        <select id="field-kind" name="kind">${monitorKinds.map((kind) => html`<option value="${kind}"${kind === form.kind ? raw(' selected') : ''}>${kind}</option>`)}</select>
      </div>
    </div>
    <div class="form-row">
      ${field({ name: 'target', label: 'Target', value: form.target, hint: 'A URL (http, app_status, host: node_exporter /metrics) or host:port (tcp); empty for a heartbeat.', attributes: 'maxlength="2000" spellcheck="false"' })}
      ${field({ name: 'interval', label: 'Every (seconds)', type: 'number', value: form.interval, attributes: 'min="5" max="86400"' })}
    </div>
    <div class="actions"><button type="submit" class="button">Create monitor</button></div>
  </form>
</section>`;
}

function settingsFrom(kind: string, target: string): Record<string, unknown> {
  if (kind === 'heartbeat') return {};
  if (kind === 'tcp') {
    const at = target.lastIndexOf(':');
    return { host: target.slice(0, Math.max(0, at)), port: Number(target.slice(at + 1)) };
  }
  return { url: target };
}

export function monitoringPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const overview = async (context: Context<AdminEnv>, form: MonitorForm, status: 200 | 400 = 200) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const now = ui.deps.clock.now().getTime();
    const [monitors, alerts, silences, onCall] = await Promise.all([
      listMonitors(ui.deps, actor, { limit: 500 }),
      listAlerts(ui.deps, actor, { state: 'open' }),
      listSilences(ui.deps, actor, { active: true }),
      whoIsOnCall(ui.deps, actor),
    ]);
    const from = now - 3_600_000;
    const uptime = await uptimeOf(
      ui.deps.store,
      monitors.map((monitor) => monitor.id),
      from,
      now + 60_000,
      'minute',
    );
    const trends = new Map(
      uptime.map((entry) => [
        entry.monitorId,
        sparkline(
          entry.buckets.map((bucket) => ({ at: bucket.bucket, value: bucket.latencyAvgMs })),
          from,
          now,
          'response time over the last hour',
        ),
      ]),
    );
    const route = routeAt(new Date(now));
    const body = html`<h1>Monitoring</h1>
<p class="page-intro">Probes, alerts and on-call. Alerts go to <strong>${route === 'support' ? 'support (business hours, 9:00–18:00 Paris on working days)' : 'the on-call levels'}</strong> right now. <a href="/monitoring/nodes">Nodes</a> get their monitors from the node template; each instance has a weekly report (<code>/monitoring/reports/&lt;instance&gt;</code>).</p>
<h2>Open alerts</h2>
${alertTable(ui, alerts, csrf, actor, 'Alerts not resolved yet, newest first')}
<h2>Who is on call</h2>
${
  onCall.length === 0
    ? html`<p class="empty panel">No on-call schedule yet: create one through the API (<code>POST /api/v1/oncall/schedules</code>, see the monitoring guide).</p>`
    : html`<div class="panel"><ul>${onCall.map((entry) => html`<li><a href="/monitoring/oncall/${entry.schedule.id}/calendar.ics">${entry.schedule.name}</a>: ${entry.shift ? html`<strong>${entry.shift.user}</strong> until ${formatTime(new Date(entry.shift.end), ui.timeZone, 'compact')}` : html`<span class="muted">nobody</span>`}</li>`)}</ul></div>`
}
<h2>Monitors</h2>
${monitorTable(ui, monitors, trends)}
<h2>Silences</h2>
${
  silences.length === 0
    ? html`<p class="empty panel">No silence in force.</p>`
    : html`<div class="table-wrap"><table><caption>Silences in force</caption><thead><tr><th scope="col">Matchers</th><th scope="col">Until</th><th scope="col">Author</th><th scope="col">Why</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>${silences.map(
        (entry) =>
          html`<tr><th scope="row">${entry.matchers.map((matcher) => `${matcher.label}${matcher.regex ? '=~' : '='}${matcher.value}`).join(', ')}</th><td>${formatTime(entry.endsAt, ui.timeZone, 'compact')}</td><td>${entry.author}</td><td class="break">${entry.comment}</td><td>${can(actor, 'monitoring:write') ? postButton({ action: `/monitoring/silences/${entry.id}/expire`, csrf, label: 'Expire', kind: 'secondary', small: true }) : ''}</td></tr>`,
      )}</tbody></table></div>`
}
${
  can(actor, 'monitoring:write')
    ? html`<section class="panel" aria-labelledby="new-silence-heading"><h2 id="new-silence-heading">New silence</h2>
<form method="post" action="/monitoring/silences" class="form form-wide">${csrfField(csrf)}
<div class="form-row">${field({ name: 'match', label: 'Matcher', value: '', required: true, hint: 'label=value, for example instance=ins_… or alertname=down', attributes: 'maxlength="500" spellcheck="false"' })}
${field({ name: 'minutes', label: 'Minutes', type: 'number', value: '60', attributes: 'min="1"' })}</div>
${field({ name: 'comment', label: 'Why', value: '', required: true, attributes: 'maxlength="1000"' })}
<div class="actions"><button type="submit" class="button">Silence</button></div></form></section>
${createMonitorForm(csrf, form)}`
    : ''
}`;
    return sendPage(
      context,
      appPage({ title: 'Monitoring', actor, csrf, current: '/monitoring', body }),
      status,
    );
  };

  app.get('/monitoring', ui.page('monitoring:read'), (context) =>
    overview(context, { name: '', kind: 'http', target: '', interval: '60' }),
  );

  app.post('/monitoring/monitors', ui.page('monitoring:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const form = {
      name: body.get('name'),
      kind: body.get('kind'),
      target: body.get('target').trim(),
      interval: body.get('interval') || '60',
    };
    try {
      const created = await createMonitor(ui.deps, actor, {
        name: form.name,
        kind: form.kind as Monitor['kind'],
        settings: settingsFrom(form.kind, form.target),
        intervalSeconds: Number(form.interval),
      });
      return seeOther(
        context,
        `/monitoring/monitors/${created.monitor.id}${created.pushToken ? `?push=${encodeURIComponent(created.pushToken)}` : ''}`,
      );
    } catch (error) {
      if (!isRoostError(error, 'invalid_input')) throw error;
      return overview(context, { ...form, error: error.message }, 400);
    }
  });

  app.get('/monitoring/monitors/:id', ui.page('monitoring:read'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const monitor = await getMonitor(ui.deps, actor, { id: context.req.param('id') });
    const now = ui.deps.clock.now().getTime();
    const from = now - 6 * 3_600_000;
    const [minutes] = await uptimeOf(ui.deps.store, [monitor.id], from, now + 60_000, 'minute');
    const [day] = await uptimeOf(ui.deps.store, [monitor.id], now - 86_400_000, now + 1, 'hour');
    const recent = await ui.deps.store.db
      .selectFrom('check_results')
      .selectAll()
      .where('monitor_id', '=', monitor.id)
      .orderBy('at', 'desc')
      .limit(20)
      .execute();
    const push = context.req.query('push');
    const percent = (value: number | null | undefined) =>
      value === null || value === undefined ? '—' : `${(value * 100).toFixed(2)} %`;
    const body = html`<p><a href="/monitoring">← Monitoring</a></p>
<h1>${monitor.name}</h1>
${push ? alert('success', html`Heartbeat URL (shown once): <code>/heartbeat/${push}</code>. Call it (GET or POST) at the end of each run.`) : ''}
<div class="panel"><dl>
  <dt>State</dt><dd>${badge(monitor.state)} ${monitor.lastMessage ?? ''}</dd>
  <dt>Kind</dt><dd>${monitor.kind}, every ${monitor.intervalSeconds} s, timeout ${monitor.timeoutMs} ms, ${monitor.retries} retr${monitor.retries === 1 ? 'y' : 'ies'}, alert after ${monitor.forSeconds} s (${monitor.severity})</dd>
  <dt>Settings</dt><dd><code class="break">${JSON.stringify(monitor.settings)}</code></dd>
  <dt>Uptime, last 24 hours</dt><dd>${percent(day?.uptime)} over ${day?.checks ?? 0} checks</dd>
</dl></div>
<h2>Response time, last 6 hours</h2>
<div class="panel">${lineChart(
      (minutes?.buckets ?? []).map((bucket) => ({ at: bucket.bucket, value: bucket.latencyAvgMs })),
      from,
      now,
      { label: `average response time per minute of ${monitor.name}`, unit: 'ms' },
    )}</div>
<h2>Recent checks</h2>
${
  recent.length === 0
    ? html`<p class="empty panel">No check yet.</p>`
    : html`<div class="table-wrap"><table><caption>The 20 most recent checks (times in ${ui.timeZone})</caption><thead><tr><th scope="col">When</th><th scope="col">Result</th><th scope="col">Time</th><th scope="col">Message</th></tr></thead><tbody>${recent.map(
        (row) =>
          html`<tr><td class="nowrap">${formatTime(new Date(Number(row.at)), ui.timeZone, 'compact')}</td><td>${Number(row.ok) === 1 ? badge('up', 'ok') : badge('down', 'failed')}</td><td>${Number(row.latency_ms)} ms</td><td class="break">${row.message ?? ''}</td></tr>`,
      )}</tbody></table></div>`
}
${can(actor, 'monitoring:write') ? postButton({ action: `/monitoring/monitors/${monitor.id}/delete`, csrf, label: 'Delete monitor', kind: 'danger' }) : ''}`;
    return sendPage(context, appPage({ title: monitor.name, actor, csrf, current: '/monitoring', body }));
  });

  app.post('/monitoring/monitors/:id/delete', ui.page('monitoring:write'), async (context) => {
    const actor = context.get('actor');
    checkRequestCsrf(context, actor, (await readForm(context)).get('_csrf'));
    await deleteMonitor(ui.deps, actor, { id: context.req.param('id') });
    return seeOther(context, '/monitoring');
  });

  app.get('/monitoring/alerts/:id', ui.page('monitoring:read'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const entry = await getAlert(ui.deps, actor, { id: context.req.param('id') });
    const deliveries = await listDeliveries(ui.deps, actor, { alertId: entry.id });
    const body = html`<p><a href="/monitoring">← Monitoring</a></p>
<h1>${entry.summary}</h1>
<div class="panel"><dl>
  <dt>State</dt><dd>${alertState(entry)}</dd>
  <dt>Pending since</dt><dd>${formatTime(entry.pendingSince, ui.timeZone)}</dd>
  ${entry.firedAt ? html`<dt>Fired</dt><dd>${formatTime(entry.firedAt, ui.timeZone)} → ${entry.route ?? ''}${entry.level > 0 ? `, level ${entry.level}` : ''}</dd>` : ''}
  ${entry.resolvedAt ? html`<dt>Resolved</dt><dd>${formatTime(entry.resolvedAt, ui.timeZone)}</dd>` : ''}
  <dt>Labels</dt><dd>${Object.entries(entry.labels).map(([name, value]) => html`<code>${name}=${value}</code> `)}</dd>
</dl>
${alertActions(entry, csrf, actor)}
${can(actor, 'incidents:write') ? postButton({ action: `/monitoring/alerts/${entry.id}/incident`, csrf, label: 'Open an incident', kind: 'secondary', small: true }) : ''}</div>
<h2>Notifications</h2>
${
  deliveries.length === 0
    ? html`<p class="empty panel">Nothing sent for this alert.</p>`
    : html`<div class="table-wrap"><table><caption>Delivery log</caption><thead><tr><th scope="col">To</th><th scope="col">Why</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Error</th></tr></thead><tbody>${deliveries.map(
        (delivery) =>
          html`<tr><th scope="row">${delivery.channel === 'email' ? delivery.recipient : `webhook ${delivery.channel}`}</th><td>${delivery.reason}</td><td>${badge(delivery.state === 'sent' ? 'up' : delivery.state === 'failed' ? 'down' : 'unknown', delivery.state)}</td><td>${delivery.attempts}</td><td class="break">${delivery.lastError ?? ''}</td></tr>`,
      )}</tbody></table></div>`
}`;
    return sendPage(context, appPage({ title: 'Alert', actor, csrf, current: '/monitoring', body }));
  });

  for (const action of ['acknowledge', 'resolve'] as const) {
    app.post(`/monitoring/alerts/:id/${action}`, ui.page('monitoring:write'), async (context) => {
      const actor = context.get('actor');
      checkRequestCsrf(context, actor, (await readForm(context)).get('_csrf'));
      await actOnAlert(ui.deps, actor, { id: context.req.param('id'), action });
      return seeOther(context, `/monitoring/alerts/${context.req.param('id')}`);
    });
  }

  app.post('/monitoring/silences', ui.page('monitoring:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const match = body.get('match');
    const at = match.indexOf('=');
    await createSilence(ui.deps, actor, {
      matchers: [
        at > 0 && match[at + 1] === '~'
          ? { label: match.slice(0, at), value: match.slice(at + 2), regex: true }
          : { label: match.slice(0, Math.max(at, 0)), value: match.slice(at + 1) },
      ],
      durationMinutes: Number(body.get('minutes')),
      comment: body.get('comment'),
    });
    return seeOther(context, '/monitoring');
  });

  app.post('/monitoring/silences/:id/expire', ui.page('monitoring:write'), async (context) => {
    const actor = context.get('actor');
    checkRequestCsrf(context, actor, (await readForm(context)).get('_csrf'));
    await expireSilence(ui.deps, actor, { id: context.req.param('id') });
    return seeOther(context, '/monitoring');
  });

  app.get('/monitoring/oncall/:id/calendar.ics', ui.page('monitoring:read'), async (context) => {
    const calendar = await scheduleCalendar(ui.deps, context.get('actor'), { id: context.req.param('id') });
    securityHeaders(context);
    context.header('content-type', 'text/calendar; charset=utf-8');
    return context.body(calendar);
  });

  app.get('/monitoring/oncall', ui.page('monitoring:read'), async (context) => {
    const schedules = await listSchedules(ui.deps, context.get('actor'));
    return context.json(schedules.map((schedule) => ({ id: schedule.id, name: schedule.name })));
  });

  // Links in notifications: the signed token is the proof, so they work without a session. A GET only
  // shows a button (mail scanners follow links); the POST acts.
  app.get('/alert-links/:action{acknowledge|resolve}', async (context) => {
    const action = context.req.param('action');
    const token = context.req.query('token') ?? '';
    const body = html`<h1>${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} this alert?</h1>
<form method="post" action="/alert-links/${action}"><input type="hidden" name="token" value="${token}">
<div class="actions"><button type="submit" class="button">${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'}</button></div></form>`;
    return sendPage(context, authPage({ title: 'Alert', body }));
  });
  app.post('/alert-links/:action{acknowledge|resolve}', async (context) => {
    const action = context.req.param('action') as 'acknowledge' | 'resolve';
    const token = (await readForm(context)).get('token');
    const done = await actOnAlertLink(
      { ...ui.deps, linkKey: await alertLinkKey(ui.deps) },
      { token, action },
    );
    const body = html`<h1>${action === 'acknowledge' ? 'Acknowledged' : 'Resolved'}</h1><p>${done.summary}</p>`;
    return sendPage(context, authPage({ title: 'Alert', body }));
  });

  // Heartbeat pushes from cron jobs and backups: GET or POST, plain text answer.
  const push = async (context: Context<AdminEnv>) => {
    await recordPush(ui.deps, { token: context.req.param('token') ?? '' });
    securityHeaders(context);
    return context.text('ok\n');
  };
  app.get('/heartbeat/:token', push);
  app.post('/heartbeat/:token', push);
  return app;
}
