import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type Actor, can } from '../../../auth/index.ts';
import {
  addContact,
  assignAccountManager,
  type ContactTopic,
  contactTopics,
  listContacts,
  removeContact,
} from '../../../contacts/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import { slaDocument, slaFormats } from '../../../incidents/index.ts';
import { listInstances } from '../../../instances/index.ts';
import {
  addComponent,
  type ComponentStatus,
  componentStatuses,
  getStatusPage,
  listMaintenances,
  noUptime,
  scheduleMaintenance,
  setComponentStatus,
} from '../../../status/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, field, formatTime, postButton } from '../components.ts';
import type { Ui } from '../context.ts';
import { sendDocument } from '../documents.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { sentence } from './login.ts';

const notices = {
  added: 'The component is on the page.',
  status: 'The component status is saved; the public page shows it within seconds.',
  scheduled: 'The maintenance window is scheduled.',
  contact: 'The contact is saved.',
  removed: 'The contact is removed.',
} as const;

const publicUrl = (ui: Ui, slug: string) => `https://${slug}.status.${ui.deps.config.status.domain}`;

function statusSelect(name: string, selected: ComponentStatus | null): Markup {
  return html`<select name="${name}" aria-label="Status">
  <option value="">from its monitors</option>
  ${componentStatuses.map((status) => html`<option value="${status}"${status === selected ? raw(' selected') : ''}>${status.replace(/_/g, ' ')}</option>`)}
</select>`;
}

function removeButton(slug: string, csrf: string | null, email: string): Markup {
  return postButton({
    action: `/status-pages/${slug}/contacts/remove?email=${encodeURIComponent(email)}`,
    csrf,
    label: 'Remove',
    accessibleLabel: `Remove ${email}`,
    kind: 'secondary',
    small: true,
  });
}

/** `/status-pages`: every instance's public page, its components and maintenance windows. */
export function statusPagePages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/status-pages', ui.page('status:read'), async (context) => {
    const actor = context.get('actor');
    const instances = (await listInstances(ui.deps, actor)).filter(
      (instance) => instance.state !== 'decommissioned',
    );
    const body = html`<h1>Status pages</h1>
<p class="page-intro">One public page per instance: components, incidents with public updates, maintenance windows and email subscriptions. Statuspage-compatible JSON at <code>/api/v2/summary.json</code> on each.</p>
${
  instances.length === 0
    ? html`<p class="empty panel">There are no instances yet.</p>`
    : html`<div class="table-wrap"><table><caption>Every live instance</caption>
<thead><tr><th scope="col">Instance</th><th scope="col">Customer</th><th scope="col">Public address</th></tr></thead>
<tbody>${instances.map((instance) => html`<tr><th scope="row"><a href="/status-pages/${instance.slug}">${instance.slug}</a></th><td>${instance.customer}</td><td><code>${publicUrl(ui, instance.slug)}</code></td></tr>`)}</tbody></table></div>`
}`;
    return sendPage(
      context,
      appPage({ title: 'Status pages', actor, csrf: context.get('csrf'), current: '/status-pages', body }),
    );
  });

  const renderPage = async (
    actor: Actor,
    csrf: string | null,
    slug: string,
    notice?: string,
    error?: string,
  ) => {
    const { settings, components } = await getStatusPage(ui.deps, actor, { slug });
    const maintenances = await listMaintenances(ui.deps, actor, { slug });
    const contacts = await listContacts(ui.deps, actor, { slug });
    const writer = can(actor, 'status:write');
    const month = new Date(ui.deps.clock.now()).toISOString().slice(0, 7);
    return appPage({
      title: `Status page of ${slug}`,
      actor,
      csrf,
      current: '/status-pages',
      body: html`<p><a href="/status-pages">← All status pages</a></p>
<h1>${settings.name} <span class="muted">(${slug})</span></h1>
<p class="page-intro">Public at <code>${publicUrl(ui, slug)}</code>; monthly SLA target ${settings.slaTarget}%.</p>
${notice && Object.hasOwn(notices, notice) ? alert('success', notices[notice as keyof typeof notices]) : ''}
${error ? alert('warning', error) : ''}
<h2>Components</h2>
${
  components.length === 0
    ? html`<p class="empty panel">No component yet.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Component</th><th scope="col">Monitors</th><th scope="col">Status set by hand</th></tr></thead><tbody>
${components.map(
  (
    component,
  ) => html`<tr><th scope="row">${component.name}<span class="cell-sub">${component.id}</span></th><td>${component.monitorIds.join(', ') || html`<span class="muted">none</span>`}</td>
<td>${
    writer
      ? html`<form method="post" action="/status-pages/${slug}/components/${component.id}/status" class="form">${csrfField(csrf)}${statusSelect('status', component.manualStatus)} <button type="submit" class="button secondary">Save</button></form>`
      : (component.manualStatus ?? html`<span class="muted">from its monitors</span>`)
  }</td></tr>`,
)}</tbody></table></div>`
}
${
  writer
    ? html`<section class="panel"><h2>Add a component</h2><form method="post" action="/status-pages/${slug}/components" class="form form-wide" novalidate>${csrfField(csrf)}
<div class="form-row">${field({ name: 'name', label: 'Name', required: true, attributes: 'maxlength="100"' })}${field({ name: 'monitors', label: 'Monitors', hint: 'Monitor ids, separated by spaces.' })}</div>
<div class="actions"><button type="submit" class="button">Add component</button></div></form></section>`
    : ''
}
<h2>Maintenance windows</h2>
${
  maintenances.length === 0
    ? html`<p class="empty panel">No maintenance window.</p>`
    : html`<div class="table-wrap"><table><caption>Times in ${ui.timeZone}</caption><thead><tr><th scope="col">Window</th><th scope="col">State</th><th scope="col">Starts</th><th scope="col">Ends</th><th scope="col">Business hours</th></tr></thead><tbody>
${maintenances.map((entry) => html`<tr><th scope="row">${entry.title}</th><td>${entry.state.replace('_', ' ')}</td><td>${formatTime(entry.startsAt, ui.timeZone, 'compact')}</td><td>${formatTime(entry.endsAt, ui.timeZone, 'compact')}</td><td>${entry.inBusinessHours ? 'yes, confirmed' : 'no'}</td></tr>`)}</tbody></table></div>`
}
${
  writer
    ? html`<section class="panel"><h2>Schedule maintenance</h2><form method="post" action="/status-pages/${slug}/maintenances" class="form form-wide" novalidate>${csrfField(csrf)}
${field({ name: 'title', label: 'Title', required: true, attributes: 'maxlength="200"' })}
<div class="form-row">${field({ name: 'startsAt', label: 'Starts (UTC)', type: 'datetime-local', required: true })}${field({ name: 'endsAt', label: 'Ends (UTC)', type: 'datetime-local', required: true })}</div>
<div class="field"><label for="field-body">What happens</label><textarea id="field-body" name="body" rows="3"></textarea></div>
<label class="check"><input type="checkbox" name="confirmBusinessHours" value="1"> Schedule it even inside business hours (9:00–18:00 Paris, working days)</label>
<div class="actions"><button type="submit" class="button">Schedule</button></div></form></section>`
    : ''
}
<h2 id="contacts">Customer contacts</h2>
<div class="panel">
<p>Account managers told about incidents: ${contacts.accountManagers.map((manager) => manager.email).join(', ') || html`<span class="muted">none</span>`}${contacts.fallback ? html` <span class="muted">(none assigned: every account manager is told)</span>` : ''}</p>
${
  contacts.contacts.length === 0
    ? html`<p class="empty">No customer contact yet: incident notices, post-mortems and maintenance announcements have nobody to go to.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Contact</th><th scope="col">Receives</th>${writer ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead><tbody>
${contacts.contacts.map((contact) => html`<tr><th scope="row">${contact.name}<span class="cell-sub">${contact.email}</span></th><td>${contact.receives.join(', ')}</td>${writer ? html`<td>${removeButton(slug, csrf, contact.email)}</td>` : ''}</tr>`)}
</tbody></table></div>`
}
${
  writer && !contacts.fallback
    ? html`<ul class="plain">${contacts.accountManagers.map((manager) => html`<li>${manager.email} ${removeButton(slug, csrf, manager.email)}</li>`)}</ul>`
    : ''
}
</div>
${
  writer
    ? html`<section class="panel"><h2>Add a contact</h2><form method="post" action="/status-pages/${slug}/contacts" class="form form-wide" novalidate>${csrfField(csrf)}
<div class="form-row">${field({ name: 'contactEmail', label: 'Contact email', type: 'email', required: true, attributes: 'maxlength="254"' })}${field({ name: 'contactName', label: 'Contact name', hint: 'For a customer contact.', attributes: 'maxlength="200"' })}</div>
<div class="field"><span class="label">Receives</span>${contactTopics.map((topic) => html`<label class="check"><input type="checkbox" name="receives" value="${topic}" checked> ${topic}</label> `)}</div>
<label class="check"><input type="checkbox" name="accountManager" value="1"> This is a Roost account manager to assign to ${slug}, not a customer contact</label>
<div class="actions"><button type="submit" class="button">Add contact</button></div></form></section>`
    : ''
}
<h2>SLA report</h2>
<form method="get" action="/status-pages/${slug}/sla" class="form panel">
<div class="form-row">${field({ name: 'month', label: 'Month', value: month, required: true, hint: 'YYYY-MM', attributes: 'pattern="[0-9]{4}-[0-9]{2}" maxlength="7"' })}
<div class="field"><label for="field-format">Format</label><select id="field-format" name="format">${slaFormats.map((format) => html`<option value="${format}">${format.toUpperCase()}</option>`)}</select></div></div>
<div class="actions"><button type="submit" class="button secondary">Download</button></div></form>`,
    });
  };

  app.get('/status-pages/:slug', ui.page('status:read'), async (context) =>
    sendPage(
      context,
      await renderPage(
        context.get('actor'),
        context.get('csrf'),
        context.req.param('slug'),
        context.req.query('notice'),
      ),
    ),
  );

  app.post('/status-pages/:slug/components', ui.page('status:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const slug = context.req.param('slug');
    try {
      await addComponent(ui.deps, actor, {
        slug,
        name: body.get('name'),
        monitors: body
          .get('monitors')
          .split(/[\s,]+/)
          .filter(Boolean),
      });
    } catch (error) {
      if (!isRoostError(error, 'invalid_input') && !isRoostError(error, 'conflict')) throw error;
      return sendPage(
        context,
        await renderPage(actor, context.get('csrf'), slug, undefined, sentence(error.message)),
        400,
      );
    }
    return seeOther(context, `/status-pages/${slug}?notice=added`);
  });

  app.post('/status-pages/:slug/components/:id/status', ui.page('status:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const status = componentStatuses.find((candidate) => candidate === body.get('status')) ?? null;
    await setComponentStatus(ui.deps, actor, { id: context.req.param('id'), status });
    return seeOther(context, `/status-pages/${context.req.param('slug')}?notice=status`);
  });

  app.post('/status-pages/:slug/maintenances', ui.page('status:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const slug = context.req.param('slug');
    // The form's times are read as UTC, as the labels say.
    const utc = (value: string) => (value.length === 16 ? `${value}:00Z` : value ? `${value}Z` : '');
    try {
      await scheduleMaintenance(ui.deps, actor, {
        slug,
        title: body.get('title'),
        body: body.get('body'),
        startsAt: utc(body.get('startsAt')),
        endsAt: utc(body.get('endsAt')),
        confirmBusinessHours: body.get('confirmBusinessHours') === '1',
      });
    } catch (error) {
      if (!isRoostError(error, 'invalid_input') && !isRoostError(error, 'conflict')) throw error;
      return sendPage(
        context,
        await renderPage(actor, context.get('csrf'), slug, undefined, sentence(error.message)),
        400,
      );
    }
    return seeOther(context, `/status-pages/${slug}?notice=scheduled`);
  });
  app.post('/status-pages/:slug/contacts', ui.page('status:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const slug = context.req.param('slug');
    try {
      if (body.get('accountManager') === '1')
        await assignAccountManager(ui.deps, actor, { slug, user: body.get('contactEmail') });
      else
        await addContact(ui.deps, actor, {
          slug,
          name: body.get('contactName'),
          email: body.get('contactEmail'),
          receives: body.all('receives') as ContactTopic[],
        });
    } catch (error) {
      if (
        !isRoostError(error, 'invalid_input') &&
        !isRoostError(error, 'conflict') &&
        !isRoostError(error, 'not_found')
      )
        throw error;
      return sendPage(
        context,
        await renderPage(actor, context.get('csrf'), slug, undefined, sentence(error.message)),
        400,
      );
    }
    return seeOther(context, `/status-pages/${slug}?notice=contact#contacts`);
  });

  app.post('/status-pages/:slug/contacts/remove', ui.page('status:write'), async (context) => {
    const actor = context.get('actor');
    checkRequestCsrf(context, actor, (await readForm(context)).get('_csrf'));
    const slug = context.req.param('slug');
    await removeContact(ui.deps, actor, { slug, email: context.req.query('email') ?? '' });
    return seeOther(context, `/status-pages/${slug}?notice=removed#contacts`);
  });

  app.get('/status-pages/:slug/sla', ui.page('incidents:read'), async (context) =>
    sendDocument(
      context,
      await slaDocument(
        {
          store: ui.deps.store,
          clock: ui.deps.clock,
          uptime: ui.deps.uptime ?? noUptime,
          timeZone: ui.deps.config.timeZone,
          printer: ui.deps.printer,
        },
        context.get('actor'),
        {
          slug: context.req.param('slug'),
          month: context.req.query('month') ?? '',
          format: (context.req.query('format') ?? 'pdf') as (typeof slaFormats)[number],
        },
      ),
    ),
  );
  return app;
}
