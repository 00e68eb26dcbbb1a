import { type Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type Actor, can } from '../../../auth/index.ts';
import { type CustomerContact, contactsReceiving } from '../../../contacts/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import { renderMarkdown } from '../../../core/markdown.ts';
import {
  appendTimelineEntry,
  createIncident,
  createIncidentFromAlert,
  type DocumentFormat,
  draftCustomerNotice,
  getIncident,
  type Incident,
  type IncidentDetails,
  type IncidentStatus,
  incidentStatuses,
  isOpenIncident,
  listIncidents,
  logbookFields,
  manualIncidentStatuses,
  manualStatusSchema,
  postmortemDocument,
  publishPostmortem,
  type Severity,
  sendCustomerNotice,
  severities,
  updateIncident,
} from '../../../incidents/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, field, formatTime, formError } from '../components.ts';
import type { Ui } from '../context.ts';
import { sendDocument } from '../documents.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { sentence } from './login.ts';

const statusTone: Record<IncidentStatus, string> = {
  investigating: 'bad',
  identified: 'warn',
  monitoring: 'warn',
  resolved: 'ok',
  postmortem: 'ok',
};
const severityTone: Record<Severity, string> = { critical: 'bad', major: 'warn', minor: '' };

const badge = (value: string, tone: string) =>
  html`<span class="badge${tone ? ` ${tone}` : ''}" data-state="${value}">${value}</span>`;

/** Markdown written by people, rendered and sanitised: hostile HTML arrives here as text. */
const markdown = (text: string): Markup =>
  text.trim() === ''
    ? html`<p class="muted">Not written yet.</p>`
    : html`<div class="markdown">${raw(renderMarkdown(text))}</div>`;

const notices = {
  created: 'The incident is open in the logbook.',
  updated: 'The logbook is saved.',
  added: 'The entry is on the timeline.',
  published: 'The post-mortem is published on the status pages; customer contacts get it by mail.',
  'from-alert': 'The incident is open, opened from the alert; the alert’s changes arrive on its timeline.',
  'already-open': 'This alert already has an open incident: here it is.',
  'notice-sent': 'The customer notice is sent; the timeline records it.',
} as const;

function textarea(name: string, label: string, value: string, hint?: string): Markup {
  return html`<div class="field">
  <label for="field-${name}">${label}</label>
  ${hint ? html`<p class="hint" id="field-${name}-hint">${hint}</p>` : ''}
  <textarea id="field-${name}" name="${name}" rows="4"${hint ? html` aria-describedby="field-${name}-hint"` : ''}>${value}</textarea>
</div>`;
}

function select(
  name: string,
  label: string,
  options: readonly string[],
  selected: string,
  empty?: string,
): Markup {
  return html`<div class="field">
  <label for="field-${name}">${label}</label>
  <select id="field-${name}" name="${name}">
    ${empty === undefined ? '' : html`<option value="">${empty}</option>`}
    ${options.map((option) => html`<option value="${option}"${option === selected ? raw(' selected') : ''}>${option}</option>`)}
  </select>
</div>`;
}

function incidentTable(ui: Ui, incidents: Incident[]): Markup {
  if (incidents.length === 0) return html`<p class="empty panel">No incident matches.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>Newest first (times in ${ui.timeZone})</caption>
  <thead><tr><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Resolved</th></tr></thead>
  <tbody>
  ${incidents.map(
    (incident) => html`<tr>
    <th scope="row" class="break"><a href="/incidents/${incident.id}">${incident.title}</a><span class="cell-sub">${incident.id}</span></th>
    <td>${badge(incident.severity, severityTone[incident.severity])}</td>
    <td>${badge(incident.status, statusTone[incident.status])}</td>
    <td class="nowrap">${formatTime(incident.startedAt, ui.timeZone, 'compact')}</td>
    <td class="nowrap">${incident.resolvedAt ? formatTime(incident.resolvedAt, ui.timeZone, 'compact') : html`<span class="muted">—</span>`}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

interface CreateForm {
  title: string;
  severity: string;
  instances: string;
  whatIsGoingOn: string;
  message: string;
  error?: string;
}

function createForm(csrf: string | null, form: CreateForm): Markup {
  return html`<section class="panel" aria-labelledby="create-incident-heading">
  <h2 id="create-incident-heading">Open an incident</h2>
  ${formError(form.error)}
  <form method="post" action="/incidents" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    ${field({ name: 'title', label: 'Title', value: form.title, required: true, attributes: 'maxlength="200"' })}
    <div class="form-row">
      ${select('severity', 'Severity', severities, form.severity)}
      ${field({ name: 'instances', label: 'Affected instances', value: form.instances, hint: 'Slugs, separated by spaces or commas.' })}
    </div>
    ${textarea('whatIsGoingOn', 'What is going on', form.whatIsGoingOn, 'Markdown.')}
    ${textarea('message', 'First public update (optional)', form.message, 'Shown on the status pages of the affected instances and sent to their subscribers. Leave empty to keep the incident internal for now.')}
    <div class="actions"><button type="submit" class="button">Open incident</button></div>
  </form>
</section>`;
}

/** Per affected instance, the customer contacts who receive incident notices. */
type NoticeContacts = Map<string, CustomerContact[]>;

async function noticeContacts(ui: Ui, details: IncidentDetails): Promise<NoticeContacts> {
  const contacts: NoticeContacts = new Map();
  for (const instance of details.instances)
    contacts.set(instance.slug, await contactsReceiving(ui.deps.store.db, instance.id, 'incidents'));
  return contacts;
}

function detailsBody(
  ui: Ui,
  actor: Actor,
  csrf: string | null,
  details: IncidentDetails,
  contacts: NoticeContacts,
  notice?: string,
  error?: string,
): Markup {
  const { incident, instances, components, timeline } = details;
  const writer = can(actor, 'incidents:write');
  return html`<p><a href="/incidents">← The logbook</a></p>
<h1>${incident.title} ${badge(incident.status, statusTone[incident.status])}</h1>
${notice && Object.hasOwn(notices, notice) ? alert('success', notices[notice as keyof typeof notices]) : ''}
${error ? alert('error', error) : ''}
<div class="panel"><dl class="facts">
  <dt>Severity</dt><dd>${badge(incident.severity, severityTone[incident.severity])}</dd>
  <dt>Started</dt><dd>${formatTime(incident.startedAt, ui.timeZone)}</dd>
  ${incident.resolvedAt ? html`<dt>Resolved</dt><dd>${formatTime(incident.resolvedAt, ui.timeZone)}</dd>` : ''}
  <dt>Instances</dt><dd>${instances.length > 0 ? instances.map((instance) => html`<a href="/instances/${instance.slug}">${instance.slug}</a> `) : html`<span class="muted">none</span>`}</dd>
  <dt>Components</dt><dd>${components.length > 0 ? components.map((component) => component.name).join(', ') : html`<span class="muted">none</span>`}</dd>
  <dt>Opened by</dt><dd>${incident.createdBy}</dd>
  <dt>Id</dt><dd><code>${incident.id}</code></dd>
</dl></div>
<h2>Logbook</h2>
${logbookFields.map(([key, label]) => html`<section class="panel" data-field="${key}"><h3>${label}</h3>${markdown(incident[key])}</section>`)}
<h2>Timeline</h2>
<div class="panel"><ol class="timeline">
${timeline.map(
  (entry) => html`<li class="${entry.public ? 'public' : ''}">
  <p class="muted">${formatTime(entry.at, ui.timeZone)} · ${entry.kind}${entry.public ? ' · public update' : ''}${entry.status && entry.kind !== 'note' ? html` · ${badge(entry.status, statusTone[entry.status])}` : ''} · ${entry.source}</p>
  ${markdown(entry.body)}
</li>`,
)}
</ol></div>
${writer && instances.length > 0 && isOpenIncident(incident.status) ? customerNotices(ui, csrf, details, contacts) : ''}
${writer ? timelineForm(csrf, incident) : ''}
${incident.postmortem ? html`<h2>${incident.postmortemPublishedAt ? 'Post-mortem (published)' : 'Post-mortem draft'}</h2><section class="panel" id="postmortem">${markdown(incident.postmortem)}<p class="downloads">Download: <a href="/incidents/${incident.id}/postmortem/pdf">PDF</a> · <a href="/incidents/${incident.id}/postmortem/html">HTML</a> · <a href="/incidents/${incident.id}/postmortem/md">Markdown</a></p></section>` : ''}
${writer && incident.postmortem && incident.resolvedAt && !incident.postmortemPublishedAt ? html`<form method="post" action="/incidents/${incident.id}/postmortem/publish" class="form">${csrfField(csrf)}<p class="muted">Reviewed? Publishing shows it on the status pages and tells subscribers.</p><div class="actions"><button type="submit" class="button">Publish the post-mortem</button></div></form>` : ''}
${writer ? logbookForm(csrf, incident) : ''}`;
}

/**
 * R24: the message for each affected customer, drafted from the logbook and editable, sent to the customer
 * contacts in one action (or opened in the manager's mail client).
 */
function customerNotices(
  ui: Ui,
  csrf: string | null,
  details: IncidentDetails,
  contacts: NoticeContacts,
): Markup {
  return html`<h2>Tell the customer</h2>
${details.instances.map((instance) => {
  const notice = draftCustomerNotice(details.incident, instance.customer, {
    statusPageUrl: `https://${instance.slug}.status.${ui.deps.config.status.domain}`,
  });
  const to = contacts.get(instance.slug) ?? [];
  const mailto = `mailto:${encodeURIComponent(to.map((contact) => contact.email).join(','))}?subject=${encodeURIComponent(notice.subject)}&body=${encodeURIComponent(notice.body)}`;
  return html`<section class="panel" data-notice="${instance.slug}">
  <h3>${instance.customer} (${instance.slug})</h3>
  <form method="post" action="/incidents/${details.incident.id}/customer-notice" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    <input type="hidden" name="slug" value="${instance.slug}">
    <p class="muted">To: ${to.length > 0 ? to.map((contact) => `${contact.name} <${contact.email}>`).join(', ') : html`nobody yet: add the customer's contacts on <a href="/status-pages/${instance.slug}#contacts">the status page settings</a>`}</p>
    <div class="field">
      <label for="subject-${instance.slug}">Subject</label>
      <input id="subject-${instance.slug}" name="subject" type="text" value="${notice.subject}" required maxlength="300">
    </div>
    <div class="field">
      <label for="notice-${instance.slug}">Message to the customer</label>
      <p class="hint" id="notice-${instance.slug}-hint">The issue, the impacts and the estimated resolution time: edit before sending.</p>
      <textarea id="notice-${instance.slug}" name="body" rows="14" aria-describedby="notice-${instance.slug}-hint">${notice.body}</textarea>
    </div>
    <div class="actions">
      <button type="submit" class="button"${to.length === 0 ? ' disabled' : ''}>Send to the customer</button>
      <a class="button secondary" href="${mailto}">Open in your mail client</a>
    </div>
  </form>
</section>`;
})}`;
}

function timelineForm(csrf: string | null, incident: Incident): Markup {
  return html`<section class="panel" aria-labelledby="timeline-heading">
  <h2 id="timeline-heading">Add to the timeline</h2>
  <form method="post" action="/incidents/${incident.id}/timeline" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    ${textarea('body', 'Entry', '', 'Markdown.')}
    <div class="form-row">
      ${select('status', 'Move the incident to', manualIncidentStatuses, '', 'no change')}
      <div class="field"><span class="label">Visibility</span>
        <label class="check"><input type="checkbox" name="public" value="1"> Public update: status pages and subscribers</label>
      </div>
    </div>
    ${incident.postmortemPublishedAt ? html`<p class="hint" id="reopen-hint">Its post-mortem is published: moving it back to investigating, identified or monitoring withdraws the post-mortem from the status pages, a draft again until you publish it again.</p>` : ''}
    <div class="actions"><button type="submit" class="button">Add entry</button></div>
  </form>
</section>`;
}

function logbookForm(csrf: string | null, incident: Incident): Markup {
  return html`<section class="panel" aria-labelledby="logbook-heading">
  <h2 id="logbook-heading">Edit the logbook</h2>
  <form method="post" action="/incidents/${incident.id}/logbook" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    ${field({ name: 'title', label: 'Title', value: incident.title, required: true, attributes: 'maxlength="200"' })}
    ${select('severity', 'Severity', severities, incident.severity)}
    ${logbookFields.map(([key, label]) => textarea(key, label, incident[key]))}
    ${incident.postmortem !== null ? textarea('postmortem', 'Post-mortem', incident.postmortem, 'Markdown; reviewed before it is published.') : ''}
    <div class="actions"><button type="submit" class="button">Save logbook</button></div>
  </form>
</section>`;
}

const emptyForm: CreateForm = { title: '', severity: 'major', instances: '', whatIsGoingOn: '', message: '' };

/** `/incidents`: the searchable logbook with the open form, and each incident's page. */
export function incidentPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const renderList = async (
    actor: Actor,
    csrf: string | null,
    query: { q?: string; status?: string },
    form?: CreateForm,
  ) => {
    const status = incidentStatuses.find((candidate) => candidate === query.status);
    const incidents = await listIncidents(ui.deps, actor, {
      ...(query.q ? { query: query.q.slice(0, 200) } : {}),
      ...(status ? { status } : {}),
    });
    return appPage({
      title: 'Incidents',
      actor,
      csrf,
      current: '/incidents',
      body: html`<h1>Incidents</h1>
<p class="page-intro">The logbook of every infrastructure issue: what is going on, how we understood it, what we did, the impacts and how to avoid it next time. Every employee can read it.</p>
${can(actor, 'incidents:write') ? createForm(csrf, form ?? emptyForm) : ''}
<h2>The logbook</h2>
<form method="get" action="/incidents" class="form form-wide" role="search">
  <div class="form-row">
    ${field({ name: 'q', label: 'Search', type: 'search', value: query.q ?? '', hint: 'Words in titles, logbook fields and timelines.' })}
    ${select('status', 'Status', incidentStatuses, status ?? '', 'any')}
  </div>
  <div class="actions"><button type="submit" class="button secondary">Search</button></div>
</form>
${incidentTable(ui, incidents)}`,
    });
  };

  app.get('/incidents', ui.page('incidents:read'), async (context) =>
    sendPage(
      context,
      await renderList(context.get('actor'), context.get('csrf'), {
        ...(context.req.query('q') ? { q: context.req.query('q') as string } : {}),
        ...(context.req.query('status') ? { status: context.req.query('status') as string } : {}),
      }),
    ),
  );

  app.post('/incidents', ui.page('incidents:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const form: CreateForm = {
      title: body.get('title').trim(),
      severity: body.get('severity'),
      instances: body.get('instances'),
      whatIsGoingOn: body.get('whatIsGoingOn'),
      message: body.get('message'),
    };
    try {
      const incident = await createIncident(ui.deps, actor, {
        title: form.title,
        severity: form.severity as Severity,
        instances: form.instances.split(/[\s,]+/).filter(Boolean),
        whatIsGoingOn: form.whatIsGoingOn,
        ...(form.message.trim() ? { message: form.message } : {}),
      });
      return seeOther(context, `/incidents/${incident.id}?notice=created`);
    } catch (error) {
      if (!isRoostError(error, 'invalid_input') && !isRoostError(error, 'not_found')) throw error;
      const page = await renderList(
        actor,
        context.get('csrf'),
        {},
        { ...form, error: sentence(error.message) },
      );
      return sendPage(context, page, 400);
    }
  });

  const renderDetails = async (
    context: Context<AdminEnv>,
    id: string,
    options: { notice?: string | undefined; error?: string; status?: 200 | 400 | 409 | 503 } = {},
  ) => {
    const actor = context.get('actor');
    const details = await getIncident(ui.deps, actor, { id });
    const contacts = await noticeContacts(ui, details);
    return sendPage(
      context,
      appPage({
        title: details.incident.title,
        actor,
        csrf: context.get('csrf'),
        current: '/incidents',
        body: detailsBody(ui, actor, context.get('csrf'), details, contacts, options.notice, options.error),
      }),
      options.status ?? 200,
    );
  };

  app.get('/incidents/:id', ui.page('incidents:read'), async (context) =>
    renderDetails(context, context.req.param('id'), { notice: context.req.query('notice') }),
  );

  const formats: Record<string, DocumentFormat> = { md: 'markdown', html: 'html', pdf: 'pdf' };
  app.get('/incidents/:id/postmortem/:extension{md|html|pdf}', ui.page('incidents:read'), async (context) =>
    sendDocument(
      context,
      await postmortemDocument(ui.deps, context.get('actor'), {
        id: context.req.param('id'),
        format: formats[context.req.param('extension') ?? 'md'] ?? 'markdown',
      }),
    ),
  );

  app.post('/incidents/:id/customer-notice', ui.page('incidents:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const id = context.req.param('id');
    try {
      await sendCustomerNotice(
        {
          ...ui.deps,
          pageUrl: (slug) => `https://${slug}.status.${ui.deps.config.status.domain}`,
        },
        actor,
        { id, slug: body.get('slug'), subject: body.get('subject'), body: body.get('body') },
      );
    } catch (error) {
      const status = isRoostError(error, 'invalid_input')
        ? 400
        : isRoostError(error, 'conflict')
          ? 409
          : isRoostError(error, 'unavailable')
            ? 503
            : undefined;
      if (status === undefined || !isRoostError(error)) throw error;
      return renderDetails(context, id, { error: `Not sent: ${sentence(error.message)}`, status });
    }
    return seeOther(context, `/incidents/${id}?notice=notice-sent`);
  });

  app.post('/monitoring/alerts/:id/incident', ui.page('incidents:write'), async (context) => {
    const actor = context.get('actor');
    checkRequestCsrf(context, actor, (await readForm(context)).get('_csrf'));
    const { incident, created } = await createIncidentFromAlert(ui.deps, actor, {
      alertId: context.req.param('id'),
    });
    return seeOther(context, `/incidents/${incident.id}?notice=${created ? 'from-alert' : 'already-open'}`);
  });

  app.post('/incidents/:id/timeline', ui.page('incidents:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const id = context.req.param('id');
    // The form offers no `postmortem`; a request that sends it anyway is told why it is refused.
    const status = body.get('status') ? manualStatusSchema.safeParse(body.get('status')) : undefined;
    if (status && !status.success)
      return renderDetails(context, id, {
        error: `Not added: ${sentence(status.error.issues[0]?.message ?? 'unknown status')}`,
        status: 400,
      });
    await appendTimelineEntry(ui.deps, actor, {
      incidentId: id,
      body: body.get('body'),
      public: body.get('public') === '1',
      ...(status ? { status: status.data } : {}),
    });
    return seeOther(context, `/incidents/${id}?notice=added`);
  });

  app.post('/incidents/:id/postmortem/publish', ui.page('incidents:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const id = context.req.param('id');
    try {
      await publishPostmortem(ui.deps, actor, { id });
    } catch (error) {
      // Published meanwhile (a second click, another tab) or not publishable: the page says why.
      if (!isRoostError(error, 'conflict')) throw error;
      return renderDetails(context, id, { error: `Not published: ${sentence(error.message)}`, status: 409 });
    }
    return seeOther(context, `/incidents/${id}?notice=published`);
  });

  app.post('/incidents/:id/logbook', ui.page('incidents:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const id = context.req.param('id');
    const fields = Object.fromEntries(logbookFields.map(([key]) => [key, body.get(key)]));
    await updateIncident(ui.deps, actor, {
      id,
      title: body.get('title'),
      severity: body.get('severity') as Severity,
      ...fields,
      ...(body.all('postmortem').length > 0 ? { postmortem: body.get('postmortem') } : {}),
    });
    return seeOther(context, `/incidents/${id}?notice=updated`);
  });
  return app;
}
