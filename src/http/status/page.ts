import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import { isOpenIncident } from '../../core/incident-status.ts';
import { renderMarkdown } from '../../core/markdown.ts';
import {
  type ComponentStatus,
  type PublicComponent,
  type PublicIncident,
  type PublicMaintenance,
  postmortemPath,
  postmortemPdfPath,
  type StatusSnapshot,
  type UptimeDay,
} from '../../status/index.ts';

type Markup = ReturnType<typeof html>;

/**
 * The public status page's only stylesheet, inline so a page is one request; light and dark follow the
 * reader's system setting. No script anywhere: the content security policy allows none.
 */
const css = `
:root{--bg:#f7f8fa;--card:#fff;--text:#1b1f24;--muted:#5b6470;--line:#dde1e6;--ok:#1f7a43;--minor:#9a6700;--major:#c2410c;--critical:#b42318;--maint:#1d5bbf;--none:#c9ced6;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1a1e24;--text:#e8eaed;--muted:#a1a9b4;--line:#2e343c;--ok:#3fb872;--minor:#e0a526;--major:#f0843c;--critical:#f26457;--maint:#6ea2ff;--none:#3a414b}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;background:var(--bg);color:var(--text)}
main{max-width:860px;margin:0 auto;padding:1.5rem 1rem 3rem}header{display:flex;align-items:center;gap:.9rem;margin-bottom:1.25rem}
header img{max-height:48px;max-width:180px}h1{font-size:1.5rem;margin:0}h2{font-size:1.15rem;margin:2rem 0 .75rem}h3{font-size:1rem;margin:0 0 .25rem}
a{color:var(--maint)}.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.1rem;margin-bottom:.75rem}
.banner{border-radius:10px;padding:1rem 1.1rem;font-weight:650;font-size:1.1rem;color:#fff;background:var(--ok)}
.banner.minor{background:var(--minor)}.banner.major{background:var(--major)}.banner.critical{background:var(--critical)}.banner.maintenance{background:var(--maint)}
.component{display:flex;justify-content:space-between;gap:1rem;align-items:baseline}.state{font-weight:600;white-space:nowrap}
.s-operational{color:var(--ok)}.s-degraded_performance{color:var(--minor)}.s-partial_outage{color:var(--major)}.s-major_outage{color:var(--critical)}.s-under_maintenance{color:var(--maint)}
.bars{display:flex;height:28px;margin:.5rem 0 .25rem;container-type:inline-size}
:where(.bars i){flex:1}.bars i{--c:var(--none);background:linear-gradient(to right,var(--c) calc(100% - 2px),transparent 0) 0 0/calc(100cqw/90) 100% repeat-x}
.bars .o{--c:var(--ok)}.bars .g{--c:var(--minor)}.bars .p{--c:var(--major)}.bars .m{--c:var(--critical)}.bars .u{--c:var(--maint)}
${Array.from({ length: 89 }, (_, index) => `.w${index + 2}{flex:${index + 2}}`).join('')}
.legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.85rem}.muted{color:var(--muted)}
.update{border-left:3px solid var(--line);padding:.1rem 0 .1rem .8rem;margin:.6rem 0}.update p{margin:.2rem 0}details.postmortem{margin-top:.75rem}details.postmortem summary{cursor:pointer;font-weight:600}.links{margin:.5rem 0 0}
.impact-critical{border-left:4px solid var(--critical)}.impact-major{border-left:4px solid var(--major)}.impact-minor{border-left:4px solid var(--minor)}.maint{border-left:4px solid var(--maint)}
a.home{color:inherit;text-decoration:none}.meta{margin:0}.full{flex-basis:100%}h2.first{margin-top:0}
footer{margin-top:2.5rem;color:var(--muted);font-size:.9rem;display:flex;gap:1rem;flex-wrap:wrap}
form.subscribe{display:flex;gap:.5rem;flex-wrap:wrap}form.subscribe input{flex:1;min-width:14rem;padding:.5rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--text);font:inherit}
form.subscribe button{padding:.5rem 1rem;border:0;border-radius:6px;background:var(--maint);color:#fff;font:inherit;font-weight:600}
`;

const cssHash = createHash('sha256').update(css).digest('base64');

/** Only our inline stylesheet, https images (the customer's logo) and forms to this origin. */
export const statusPagePolicy = [
  "default-src 'none'",
  `style-src 'sha256-${cssHash}'`,
  "img-src 'self' https: data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const labels: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

const stamp = (time: Date) => `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const markdown = (text: string) => raw(renderMarkdown(text));

function layout(title: string, snapshot: StatusSnapshot | undefined, base: string, body: Markup): Markup {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><meta name="color-scheme" content="light dark"><style>${raw(css)}</style>
${snapshot ? html`<link rel="alternate" type="application/rss+xml" title="${snapshot.name} status (RSS)" href="${base}/history.rss"><link rel="alternate" type="application/atom+xml" title="${snapshot.name} status (Atom)" href="${base}/history.atom">` : ''}
</head><body><main>${body}</main></body></html>`;
}

function headerOf(snapshot: StatusSnapshot, base: string): Markup {
  return html`<header>${snapshot.logoUrl ? html`<img src="${snapshot.logoUrl}" alt="${snapshot.name}">` : ''}<h1><a href="${base}/" class="home">${snapshot.name}</a> status</h1></header>`;
}

/** One-letter classes for the day bars: they are most of the page's bytes. */
const barClasses: Record<UptimeDay['worst'], string> = {
  operational: 'o',
  degraded_performance: 'g',
  partial_outage: 'p',
  major_outage: 'm',
  under_maintenance: 'u',
  no_data: 'n',
};

/** 100.00 → "100", 97.50 → "97.5": two decimals at most, no trailing zeros. */
const percent = (value: number) => String(Number(value.toFixed(2)));

const dayLabel = (day: UptimeDay) =>
  day.uptime === null
    ? 'no data'
    : `${percent(day.uptime)}% up${day.downMinutes > 0 ? `, ${day.downMinutes} min down` : ''}`;

/**
 * The 90 days as bars, one element per run of days that read the same (a quiet month is one element, not
 * 30): a run of n days is n days wide (`wN`), and the stylesheet draws its days apart with a repeating
 * gradient one day wide. Its title names the run's first and last day.
 */
function bars(days: UptimeDay[]): Markup {
  const runs: Array<{ first: UptimeDay; last: UptimeDay; label: string; length: number }> = [];
  for (const day of days) {
    const label = dayLabel(day);
    const run = runs.at(-1);
    if (run && run.first.worst === day.worst && run.label === label) {
      run.last = day;
      run.length++;
    } else runs.push({ first: day, last: day, label, length: 1 });
  }
  return html`<div class="bars" role="img" aria-label="Uptime over the last ${days.length} days">${runs.map(
    ({ first, last, label, length }) =>
      length === 1
        ? html`<i class=${barClasses[first.worst]} title="${first.day}: ${label}"></i>`
        : html`<i class="${barClasses[first.worst]} w${length}" title="${first.day} – ${last.day}: ${label}"></i>`,
  )}</div>`;
}

function componentCard(component: PublicComponent): Markup {
  return html`<div class="card" id="component-${component.id}">
  <div class="component"><h3>${component.name}</h3><span class="state s-${component.status}">${labels[component.status]}</span></div>
  ${component.description ? html`<p class="muted meta">${component.description}</p>` : ''}
  ${bars(component.days)}
  <div class="legend"><span>90 days ago</span><span>${component.uptime === null ? 'no data yet' : `${component.uptime.toFixed(2)}% uptime`}</span><span>Today</span></div>
</div>`;
}

function postmortemLinks(incident: PublicIncident, base: string): Markup {
  return html`<p class="links"><a href="${base}${postmortemPath(incident.id)}">Read the post-mortem</a>${incident.postmortemPdf ? html` · <a href="${base}${postmortemPdfPath(incident.id)}" type="application/pdf">PDF</a>` : ''}</p>`;
}

function incidentCard(incident: PublicIncident, base: string): Markup {
  return html`<article class="card impact-${incident.impact}" id="incident-${incident.id}">
  <h3>${incident.name}</h3>
  <p class="muted meta">${incident.status} · started ${stamp(incident.startedAt)}${incident.resolvedAt ? ` · resolved ${stamp(incident.resolvedAt)}` : ''}</p>
  ${incident.updates.map(
    (update) =>
      html`<div class="update"><p><strong>${update.status}</strong> <span class="muted">${stamp(update.at)}</span></p>${markdown(update.body)}</div>`,
  )}
  ${incident.postmortem ? html`<details class="postmortem"><summary>Post-mortem</summary>${markdown(incident.postmortem)}</details>${postmortemLinks(incident, base)}` : ''}
</article>`;
}

function maintenanceCard(maintenance: PublicMaintenance): Markup {
  const state = { scheduled: 'Scheduled', in_progress: 'In progress', completed: 'Completed' }[
    maintenance.state
  ];
  return html`<article class="card maint" id="maintenance-${maintenance.id}">
  <h3>${maintenance.name}</h3>
  <p class="muted meta">${state} · ${stamp(maintenance.startsAt)} → ${stamp(maintenance.endsAt)}</p>
  ${markdown(maintenance.body)}
</article>`;
}

function footer(base: string): Markup {
  return html`<footer><a href="${base}/history">Incident history</a><a href="${base}/history.rss">RSS</a><a href="${base}/history.atom">Atom</a><a href="${base}/api/v2/summary.json">JSON</a><span>Times in UTC</span></footer>`;
}

/** The status page: overall state, active incidents, maintenances, components with their 90-day bars. */
export function statusPage(snapshot: StatusSnapshot, base: string): Markup {
  const open = snapshot.incidents.filter((incident) => isOpenIncident(incident.status));
  const maintenances = snapshot.maintenances.filter((entry) => entry.state !== 'completed');
  return layout(
    `${snapshot.name} status`,
    snapshot,
    base,
    html`${headerOf(snapshot, base)}
<div class="banner ${snapshot.status.indicator}" role="status">${snapshot.status.description}</div>
${open.length > 0 ? html`<h2>Active incidents</h2>${open.map((incident) => incidentCard(incident, base))}` : ''}
${maintenances.length > 0 ? html`<h2>Maintenance</h2>${maintenances.map(maintenanceCard)}` : ''}
<h2>Components</h2>
${snapshot.components.length > 0 ? snapshot.components.map(componentCard) : html`<p class="card muted">No component is published yet.</p>`}
<h2>Get updates by email</h2>
<form class="subscribe card" method="post" action="${base}/subscribe"><label for="email" class="muted full">We send a link to confirm; nothing else until you do.</label><input id="email" name="email" type="email" required autocomplete="email" placeholder="you@example.com"><button type="submit">Subscribe</button></form>
${footer(base)}`,
  );
}

/** Every incident of the last 90 days with its updates, and recent maintenances. */
export function historyPage(snapshot: StatusSnapshot, base: string): Markup {
  const done = snapshot.maintenances.filter((entry) => entry.state === 'completed');
  return layout(
    `${snapshot.name} status history`,
    snapshot,
    base,
    html`${headerOf(snapshot, base)}
<p><a href="${base}/">← Current status</a></p>
<h2>Incident history (90 days)</h2>
${snapshot.incidents.length > 0 ? snapshot.incidents.map((incident) => incidentCard(incident, base)) : html`<p class="card muted">No incident in the last 90 days.</p>`}
${done.length > 0 ? html`<h2>Completed maintenance</h2>${done.map(maintenanceCard)}` : ''}
${footer(base)}`,
  );
}

/**
 * A published post-mortem on a page of its own (`/incidents/{id}/postmortem`), linked from the incident in
 * the history; the PDF link shows once the PDF is printed.
 */
export function postmortemPage(snapshot: StatusSnapshot, incident: PublicIncident, base: string): Markup {
  const published = incident.postmortemPublishedAt;
  return layout(
    `Post-mortem: ${incident.name} · ${snapshot.name} status`,
    snapshot,
    base,
    html`${headerOf(snapshot, base)}
<p><a href="${base}/history#incident-${incident.id}">← Incident history</a></p>
<article class="card impact-${incident.impact}" id="postmortem-${incident.id}">
  <p class="muted meta">Post-mortem of “${incident.name}” · started ${stamp(incident.startedAt)}${incident.resolvedAt ? ` · resolved ${stamp(incident.resolvedAt)}` : ''}${published ? ` · published ${stamp(published)}` : ''}</p>
  ${incident.postmortemPdf ? html`<p class="links"><a href="${base}${postmortemPdfPath(incident.id)}" type="application/pdf">Download as PDF</a></p>` : ''}
  ${markdown(incident.postmortem ?? '')}
</article>
${footer(base)}`,
  );
}

/** A plain page for a slug we do not know: says nothing about which instances exist. */
export function notFoundPage(): Markup {
  return layout(
    'Status page not found',
    undefined,
    '',
    html`<h1>No status page here</h1><p class="muted">Check the address you were given.</p>`,
  );
}

/** A short page around the subscription forms; `form` adds a button that posts `token` back here. */
export function messagePage(
  name: string,
  base: string,
  title: string,
  text: string,
  form?: { action: string; token: string; button: string },
): Markup {
  return layout(
    title,
    undefined,
    base,
    html`<header><h1><a href="${base}/" class="home">${name}</a> status</h1></header>
<div class="card"><h2 class="first">${title}</h2><p>${text}</p>
${form ? html`<form method="post" action="${form.action}" class="subscribe"><input type="hidden" name="token" value="${form.token}"><button type="submit">${form.button}</button></form>` : ''}
</div><p><a href="${base}/">← Current status</a></p>`,
  );
}
