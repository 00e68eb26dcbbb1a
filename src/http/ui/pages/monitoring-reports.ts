import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { getWeeklyReport, reportHtml, weekBefore } from '../../../monitoring/reports/index.ts';
import { listNodes } from '../../../nodes/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import type { Ui } from '../context.ts';
import { appPage } from '../layout.ts';
import { sendPage } from '../respond.ts';

/** Weekly report pages (one per instance and week) and the list of nodes with their monitors. */
export function monitoringReportPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/monitoring/reports/:slug', ui.page('monitoring:read'), async (context) => {
    const actor = context.get('actor');
    const { config, store, clock, incidentSummaries } = ui.deps;
    const week = context.req.query('week');
    const report = await getWeeklyReport(
      { store, clock, timeZone: config.timeZone, incidents: incidentSummaries },
      actor,
      { slug: context.req.param('slug'), ...(week ? { week } : {}) },
    );
    const previous = weekBefore(report.from, report.timeZone).label;
    const next =
      report.to <= clock.now().getTime()
        ? weekBefore(report.to + 7 * 86_400_000, report.timeZone).label
        : null;
    const link = (label: string, to: string) =>
      html`<a href="/monitoring/reports/${encodeURIComponent(report.instance.slug)}?week=${to}">${label}</a>`;
    const body = html`<h1>Weekly report</h1>
<p class="page-intro">Mailed every Monday at 08:00 (${report.timeZone}) to the report recipients and the account managers.
${link(`← ${previous}`, previous)}${next ? html` · ${link(`${next} →`, next)}` : ''}</p>
<div class="panel report">${raw(reportHtml(report))}</div>`;
    return sendPage(
      context,
      appPage({
        title: `Report ${report.week}`,
        actor,
        csrf: context.get('csrf'),
        current: '/monitoring',
        body,
      }),
    );
  });

  app.get('/monitoring/nodes', ui.page('instances:read'), async (context) => {
    const actor = context.get('actor');
    const nodes = await listNodes(ui.deps, actor);
    const body = html`<h1>Nodes</h1>
<p class="page-intro">Servers Roost manages. Each gets its monitors from the node template: TCP 443, 80 and 22 on front nodes; host metrics and "unresponsive" on every node. Add and remove with <code>roost node add|remove</code>.</p>
${
  nodes.length === 0
    ? html`<p class="empty panel">No nodes yet.</p>`
    : html`<div class="table-wrap"><table><caption>Nodes</caption><thead><tr><th scope="col">Name</th><th scope="col">Address</th><th scope="col">Roles</th><th scope="col">Monitors</th></tr></thead><tbody>${nodes.map(
        (node) =>
          html`<tr><th scope="row">${node.name}</th><td>${node.address}</td><td>${node.roles.join(', ')}</td><td>${node.monitors.map(
            (monitor) =>
              html`<a href="/monitoring/monitors/${monitor.id}"><span class="badge ${monitor.state === 'up' ? 'ok' : monitor.state === 'down' ? 'bad' : 'warn'}" data-state="${monitor.state}">${monitor.name.replace(`node ${node.name} `, '')}</span></a> `,
          )}</td></tr>`,
      )}</tbody></table></div>`
}`;
    return sendPage(
      context,
      appPage({ title: 'Nodes', actor, csrf: context.get('csrf'), current: '/monitoring', body }),
    );
  });
  return app;
}
