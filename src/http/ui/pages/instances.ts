import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type Actor, can } from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import {
  createInstance,
  decommissionInstance,
  getInstance,
  type Instance,
  type InstanceDetails,
  type InstanceOperation,
  type InstanceState,
  listInstances,
  restartInstance,
  rotateInstanceSecret,
  scaleInstance,
  startInstance,
  stopInstance,
} from '../../../instances/index.ts';
import { environments, type StackStatus, stackSecretNames } from '../../../runtime/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import {
  alert,
  field,
  fieldId,
  followProgress,
  formatTime,
  formError,
  reloadSeconds,
} from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { sentence } from './login.ts';
import {
  emptyMigrationForm,
  type Migration,
  type MigrationForm,
  migrationPages,
  migrationPanel,
  migrationsSection,
  recentMigrations,
} from './migrations.ts';

/** Fixed texts shown after a redirect (`?notice=provisioning`); a link cannot make the page say more. */
const notices = {
  provisioning: 'The instance is registered. Provisioning runs in the background; this page follows it.',
  scaling: 'The new replica count is saved. The change runs in the background; this page follows it.',
  decommissioning:
    'Decommissioning has started: the stack is stopped and its data and secrets are erased in the background.',
  stop: 'Stopping: every service is scaled to zero; data and secrets stay.',
  start: 'Starting the services again; this page follows it.',
  restart: 'Restarting the services, the API one replica at a time; this page follows it.',
  rotate: 'Rotating the secret: a new value is set and the services roll onto it; the value is never shown.',
  migrating:
    'The migration has started: backup, new stack, restore and checks run in the background; the instance serves from where it is until the name switch.',
} as const;

/** One-click operations of the instance page: the route, its button, and what it says. */
const lifecycleActions = {
  stop: { run: stopInstance, label: 'Stop' },
  start: { run: startInstance, label: 'Start' },
  restart: { run: restartInstance, label: 'Restart' },
} as const;

function instanceNotice(name: string | undefined): Markup {
  if (!name || !Object.hasOwn(notices, name)) return html``;
  return alert('success', notices[name as keyof typeof notices]);
}

const stateTone: Record<InstanceState, string> = {
  provisioning: 'warn',
  running: 'ok',
  degraded: 'warn',
  stopped: '',
  decommissioning: 'warn',
  decommissioned: '',
  failed: 'bad',
};

function stateBadge(state: string, tone = stateTone[state as InstanceState] ?? ''): Markup {
  return html`<span class="badge${tone ? ` ${tone}` : ''}" data-state="${state}">${state}</span>`;
}

function healthBadge(status: StackStatus | undefined): Markup {
  if (!status) return html`<span class="muted">not running</span>`;
  const healthy = status.services.every((service) => service.health === 'healthy');
  return healthy ? stateBadge('healthy', 'ok') : stateBadge('unhealthy', 'bad');
}

function runtimeLabel(_ui: Ui, instance: Instance): Markup {
  // Only the local runtime (processes on loopback) lacks network isolation.
  return instance.runtime !== 'local'
    ? html`${instance.runtime}`
    : html`${instance.runtime} <span class="badge warn">no isolation</span>`;
}

const operationTone = { queued: 'warn', running: 'warn', succeeded: 'ok', failed: 'bad' } as const;

function inProgress(operations: InstanceOperation[]): InstanceOperation | undefined {
  return operations.find((operation) => operation.state === 'queued' || operation.state === 'running');
}

interface CreateForm {
  slug: string;
  customer: string;
  environment: string;
  replicas: string;
  error?: string;
  /** The field the error is about, when it is about one. */
  errorField?: string;
}

const emptyCreateForm: CreateForm = { slug: '', customer: '', environment: 'staging', replicas: '1' };

/** An input error as the form shows it: on its field when the domain names one. */
function inputError(error: unknown): { message: string; field?: string } | undefined {
  if (!isRoostError(error) || (error.code !== 'invalid_input' && error.code !== 'conflict')) return undefined;
  const issues = error.details?.issues;
  const first = Array.isArray(issues) ? (issues[0] as { path?: unknown } | undefined) : undefined;
  const path = typeof first?.path === 'string' ? first.path : undefined;
  if (error.code === 'conflict' && typeof error.details?.slug === 'string')
    return { message: sentence(error.message), field: 'slug' };
  return path ? { message: sentence(error.message), field: path } : { message: sentence(error.message) };
}

function createForm(csrf: string | null, form: CreateForm): Markup {
  const errorOn = (name: string) => (form.errorField === name ? form.error : undefined);
  const environmentError = errorOn('environment');
  return html`<section class="panel" aria-labelledby="create-instance-heading">
  <h2 id="create-instance-heading">New instance</h2>
  ${form.errorField ? '' : formError(form.error)}
  <form method="post" action="/instances" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    <div class="form-row">
      ${field({ name: 'slug', label: 'Slug', value: form.slug, required: true, error: errorOn('slug'), hint: 'DNS-safe, 3–32 characters: a-z, 0-9 and -, starting with a letter.', attributes: 'maxlength="32" autocapitalize="off" spellcheck="false"' })}
      ${field({ name: 'customer', label: 'Customer', value: form.customer, required: true, error: errorOn('customer'), hint: 'Who the stack is for, as you call them.', attributes: 'maxlength="200"' })}
    </div>
    <div class="form-row">
      <div class="field">
        <label for="${fieldId('environment')}">Environment</label>
        <p class="hint" id="${fieldId('environment')}-hint">The same code and limits in all three.</p>
        <select id="${fieldId('environment')}" name="environment" aria-describedby="${fieldId('environment')}-hint">
          ${environments.map((environment) => html`<option value="${environment}"${environment === form.environment ? raw(' selected') : ''}>${environment}</option>`)}
        </select>
        ${environmentError ? html`<p class="field-error">${environmentError}</p>` : ''}
      </div>
      ${field({ name: 'replicas', label: 'API replicas', type: 'number', value: form.replicas, required: true, error: errorOn('replicas'), hint: '1 to 10.', attributes: 'min="1" max="10" inputmode="numeric"' })}
    </div>
    <div class="actions"><button type="submit" class="button">Create instance</button></div>
  </form>
</section>`;
}

function instanceTable(ui: Ui, rows: Array<{ instance: Instance; status: StackStatus | undefined }>): Markup {
  if (rows.length === 0) return html`<p class="empty panel">There are no instances yet.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>Every instance by slug, decommissioned ones included; replicas of the API running / desired (times in ${ui.timeZone})</caption>
  <thead><tr>
    <th scope="col">Instance</th><th scope="col">Customer</th><th scope="col">Environment</th><th scope="col">State</th>
    <th scope="col">Health</th><th scope="col">Replicas</th><th scope="col">Runtime</th>
  </tr></thead>
  <tbody>
  ${rows.map(({ instance, status }) => {
    const api = status?.services.find((service) => service.name === 'api');
    return html`<tr>
    <th scope="row" class="nowrap"><a href="/instances/${instance.slug}">${instance.slug}</a><span class="cell-sub">created ${formatTime(instance.createdAt, ui.timeZone, 'compact')}</span></th>
    <td class="break">${instance.customer}</td>
    <td>${instance.environment}</td>
    <td>${stateBadge(instance.state)}</td>
    <td>${instance.state === 'decommissioned' ? html`<span class="muted">—</span>` : healthBadge(status)}</td>
    <td class="nowrap">${
      instance.state === 'decommissioned'
        ? html`<span class="muted">—</span>`
        : html`${api?.runningReplicas ?? 0} / ${instance.replicas}`
    }</td>
    <td class="nowrap">${runtimeLabel(ui, instance)}</td>
  </tr>`;
  })}
  </tbody>
</table></div>`;
}

function servicesSection(status: StackStatus | undefined, instance: Instance): Markup {
  if (!status) {
    const why =
      instance.state === 'decommissioned'
        ? 'Nothing runs: the instance is decommissioned.'
        : 'The runtime runs nothing for this instance yet.';
    return html`<h2>Services</h2><p class="empty panel">${why}</p>`;
  }
  return html`<h2>Services</h2>
<div class="table-wrap"><table>
  <caption>What the ${status.runtime} runtime runs now: ${stateBadge(status.state, status.state === 'running' ? 'ok' : 'warn')}</caption>
  <thead><tr><th scope="col">Service</th><th scope="col">Release</th><th scope="col">Replicas</th><th scope="col">Health</th><th scope="col">Listening on</th></tr></thead>
  <tbody>
  ${status.services.map(
    (service) => html`<tr>
    <th scope="row">${service.name}</th>
    <td>${service.release}</td>
    <td class="nowrap">${service.runningReplicas} / ${service.desiredReplicas}<span class="cell-sub">running / desired</span></td>
    <td>${stateBadge(service.health, service.health === 'healthy' ? 'ok' : 'bad')}</td>
    <td>${service.replicas.map((replica) => html`<code>${replica.address ?? replica.id}</code> `)}</td>
  </tr>`,
  )}
  </tbody>
</table></div>
<h2>Endpoints</h2>
${
  status.endpoints.api.length > 0
    ? html`<div class="panel"><ul>${status.endpoints.api.map((url) => html`<li><code>${url}</code></li>`)}</ul></div>`
    : html`<p class="empty panel">No API replica is reachable.</p>`
}
<h2>Networks</h2>
${
  status.networks.length > 0
    ? html`<div class="table-wrap"><table>
  <thead><tr><th scope="col">Network</th><th scope="col">Internal</th><th scope="col">Attached</th></tr></thead>
  <tbody>${status.networks.map((network) => html`<tr><th scope="row">${network.name}</th><td>${network.internal ? 'yes' : 'no'}</td><td>${network.services.join(', ')}</td></tr>`)}</tbody>
</table></div>`
    : ''
}
${
  status.notes.length > 0 || status.networks.length === 0
    ? alert(
        status.networks.length === 0 ? 'warning' : 'info',
        html`${status.networks.length === 0 ? html`<strong>Nothing is isolated.</strong> ` : ''}${sentence(status.notes.map((note) => note.replace(/[.;]$/, '')).join('; '))}`,
        { title: status.networks.length === 0 ? `The ${status.runtime} runtime has no networks` : 'Notes' },
      )
    : ''
}
<p class="muted">Secret files: ${status.secrets.medium === 'tmpfs' ? 'in memory (tmpfs)' : 'on disk, in a 0700 directory'}.</p>`;
}

function operationsTable(ui: Ui, operations: InstanceOperation[]): Markup {
  if (operations.length === 0) return html`<p class="empty panel">No operations yet.</p>`;
  const when = (time: Date | null) =>
    time ? formatTime(time, ui.timeZone, 'compact') : html`<span class="muted">—</span>`;
  return html`<div class="table-wrap"><table>
  <caption>The 20 most recent, newest first (times in ${ui.timeZone})</caption>
  <thead><tr><th scope="col">Operation</th><th scope="col">State</th><th scope="col">Progress</th>
  <th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
  <tbody>
  ${operations.map(
    (operation) => html`<tr>
    <th scope="row">${operation.kind}<span class="cell-sub">${operation.id}</span></th>
    <td>${stateBadge(operation.state, operationTone[operation.state])}</td>
    <td class="break">${operation.progress ?? html`<span class="muted">—</span>`}${
      operation.error ? html`<p class="field-error">${operation.error}</p>` : ''
    }</td>
    <td class="nowrap">${when(operation.startedAt)}<span class="cell-sub">queued ${formatTime(operation.createdAt, ui.timeZone, 'compact')}</span></td>
    <td class="nowrap">${when(operation.finishedAt)}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

interface ScaleForm {
  replicas: string;
  error?: string;
}

function actionsSection(
  details: InstanceDetails,
  csrf: string | null,
  busy: InstanceOperation | undefined,
  scale: ScaleForm,
): Markup {
  const { instance } = details;
  if (instance.state === 'decommissioning' || instance.state === 'decommissioned') return html``;
  if (busy)
    return html`<h2>Actions</h2><p class="empty panel">Scaling and decommissioning open again when the ${busy.kind} operation ends.</p>`;
  const slug = instance.slug;
  return html`<div class="panel">
  <h2 id="scale-heading">Scale the API</h2>
  <form method="post" action="/instances/${slug}/scale" class="form" novalidate aria-labelledby="scale-heading">
    ${csrfField(csrf)}
    ${field({ name: 'replicas', label: 'API replicas', type: 'number', value: scale.replicas, required: true, error: scale.error, hint: `1 to 10; now ${instance.replicas}.`, attributes: 'min="1" max="10" inputmode="numeric"' })}
    <div class="actions"><button type="submit" class="button">Scale</button></div>
  </form>
</div>
<div class="panel">
  <h2 id="lifecycle-heading">Run state</h2>
  <p>${instance.running ? 'The services run. Stopping scales them to zero and keeps data and secrets.' : 'The instance is stopped: nothing runs, data and secrets are kept.'}</p>
  <div class="actions">
    ${(instance.running ? (['restart', 'stop'] as const) : (['start'] as const)).map(
      (action) =>
        html`<form method="post" action="/instances/${slug}/${action}" class="inline-form">${csrfField(csrf)}<button type="submit" class="button${action === 'stop' ? ' secondary' : ''}">${lifecycleActions[action].label}</button></form>`,
    )}
  </div>
</div>
<div class="panel">
  <h2 id="rotate-heading">Rotate a secret</h2>
  <form method="post" action="/instances/${slug}/rotate" class="form" novalidate aria-labelledby="rotate-heading">
    ${csrfField(csrf)}
    <label for="rotate-name">Secret</label>
    <select id="rotate-name" name="name">${stackSecretNames.map((name) => html`<option value="${name}">${name}</option>`)}</select>
    <p class="hint">A new value is generated and the services roll onto it without downtime; nobody sees it.</p>
    <div class="actions"><button type="submit" class="button">Rotate</button></div>
  </form>
</div>
<div class="panel">
  <h2>Decommission</h2>
  <p>Stops every service and erases the instance's data and secrets for good. The row stays as a tombstone.</p>
  <a class="button danger" href="/instances/${slug}/decommission">Decommission ${slug}…</a>
</div>`;
}

function detailsBody(
  ui: Ui,
  actor: Actor,
  csrf: string | null,
  details: InstanceDetails,
  options: {
    notice?: string | undefined;
    scale?: ScaleForm;
    migration?: MigrationForm;
    migrations?: Migration[];
    /** Sent with the `refresh` header (a GET while an operation runs). */
    reloading?: boolean;
  },
): Markup {
  const { instance, status, operations } = details;
  const busy = inProgress(operations);
  const path = `/instances/${instance.slug}`;
  const migration = options.migration ?? emptyMigrationForm;
  const movable =
    can(actor, 'instances:write') && !busy && (instance.state === 'running' || instance.state === 'degraded');
  return html`<p><a href="/instances">← All instances</a></p>
<h1>${instance.slug} ${stateBadge(instance.state)}</h1>
<p class="page-intro">${instance.customer}'s ${instance.environment} stack. <a href="/monitoring/reports/${instance.slug}">Weekly report</a>${can(actor, 'backups:read') ? html` · <a href="/backups/${instance.slug}">Backups and restores</a>` : ''}</p>
${instanceNotice(options.notice)}
${!movable && migration.error ? alert('error', migration.error, { title: 'The migration was not started' }) : ''}
${
  busy
    ? alert(
        'info',
        html`${busy.kind} is ${busy.state}${busy.progress ? html`: ${busy.progress}` : ''}. ${followProgress(path, options.reloading === true)}`,
        { title: 'An operation is in progress' },
      )
    : ''
}
${instance.lastError && instance.state === 'failed' ? alert('error', instance.lastError, { title: 'The last operation failed' }) : ''}
<div class="panel">
  <dl class="facts">
    <dt>State</dt><dd>${stateBadge(instance.state)}</dd>
    <dt>Health</dt><dd>${instance.state === 'decommissioned' ? html`<span class="muted">—</span>` : healthBadge(status)}</dd>
    <dt>Customer</dt><dd>${instance.customer}</dd>
    <dt>Environment</dt><dd>${instance.environment}</dd>
    <dt>Release</dt><dd>API <code>${instance.release.api}</code>, database <code>${instance.release.db}</code>, cache <code>${instance.release.cache}</code></dd>
    <dt>API replicas</dt><dd>${instance.replicas} desired</dd>
    <dt>Runtime</dt><dd>${runtimeLabel(ui, instance)}</dd>
    <dt>Created</dt><dd>${formatTime(instance.createdAt, ui.timeZone)}</dd>
    ${instance.decommissionedAt ? html`<dt>Decommissioned</dt><dd>${formatTime(instance.decommissionedAt, ui.timeZone)}</dd>` : ''}
    <dt>Id</dt><dd><code>${instance.id}</code></dd>
  </dl>
</div>
${can(actor, 'instances:write') ? actionsSection(details, csrf, busy, options.scale ?? { replicas: String(instance.replicas) }) : ''}
${movable ? migrationPanel(ui, actor, instance, csrf, migration) : ''}
${servicesSection(status, instance)}
<h2>Recent operations</h2>
${operationsTable(ui, operations)}
${migrationsSection(ui, options.migrations ?? [])}`;
}

function confirmBody(slug: string, csrf: string | null, error?: string): Markup {
  return html`<p><a href="/instances/${slug}">← Back to ${slug}</a></p>
<h1>Decommission ${slug}?</h1>
${alert('warning', html`Every service of <strong>${slug}</strong> stops, and its database, cache and secrets are erased. This cannot be undone; only a tombstone row stays.`, { title: 'This erases the instance' })}
<div class="panel">
  <form method="post" action="/instances/${slug}/decommission" class="form" novalidate>
    ${csrfField(csrf)}
    ${field({ name: 'confirm', label: `Type ${slug} to confirm`, required: true, error, autocomplete: 'off', attributes: 'autocapitalize="off" spellcheck="false"' })}
    <div class="actions">
      <button type="submit" class="button danger">Decommission ${slug}</button>
      <a class="button secondary" href="/instances/${slug}">Cancel</a>
    </div>
  </form>
</div>`;
}

/** `/instances`: the list with the create form, and each instance's page with scale and decommission. */
export function instancePages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  const renderList = async (actor: Actor, csrf: string | null, form?: CreateForm) => {
    const instances = await listInstances(ui.deps, actor);
    // Tombstones have nothing to inspect; the live ones are asked side by side.
    const rows = await Promise.all(
      instances.map(async (instance) => ({
        instance,
        status:
          instance.state === 'decommissioned' ? undefined : await ui.deps.runtime.inspect(instance.slug),
      })),
    );
    return appPage({
      title: 'Instances',
      actor,
      csrf,
      current: '/instances',
      body: html`<h1>Instances</h1>
<p class="page-intro">One private stack per customer: the API, PostgreSQL and Redis. Health and running replicas come from the runtime as it is now.</p>
${can(actor, 'instances:write') ? createForm(csrf, form ?? emptyCreateForm) : ''}
<h2>All instances</h2>
${instanceTable(ui, rows)}`,
    });
  };

  const renderDetails = async (
    actor: Actor,
    csrf: string | null,
    slug: string,
    options: {
      notice?: string | undefined;
      scale?: ScaleForm;
      migration?: MigrationForm;
      reloading?: boolean;
    } = {},
  ) => {
    const details = await getInstance(ui.deps, actor, { slug });
    const migrations = await recentMigrations(ui, actor, slug);
    const page = appPage({
      title: details.instance.slug,
      actor,
      csrf,
      current: '/instances',
      body: detailsBody(ui, actor, csrf, details, { ...options, migrations }),
    });
    return { page, busy: inProgress(details.operations) !== undefined };
  };

  app.get('/instances', ui.page('instances:read'), async (context) =>
    sendPage(context, await renderList(context.get('actor'), context.get('csrf'))),
  );

  app.post('/instances', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const form: CreateForm = {
      slug: body.get('slug').trim(),
      customer: body.get('customer').trim(),
      environment: body.get('environment'),
      replicas: body.get('replicas').trim(),
    };
    try {
      const { instance } = await createInstance(ui.deps, actor, {
        slug: form.slug,
        customer: form.customer,
        environment: form.environment as (typeof environments)[number],
        replicas: form.replicas === '' ? Number.NaN : Number(form.replicas),
      });
      return seeOther(context, `/instances/${instance.slug}?notice=provisioning`);
    } catch (error) {
      const refused = inputError(error);
      if (!refused) throw error;
      const status = isRoostError(error, 'conflict') ? 409 : 400;
      const page = await renderList(actor, context.get('csrf'), {
        ...form,
        error: refused.message,
        ...(refused.field ? { errorField: refused.field } : {}),
      });
      return sendPage(context, page, status);
    }
  });

  app.get('/instances/:slug', ui.page('instances:read'), async (context) => {
    const { page, busy } = await renderDetails(
      context.get('actor'),
      context.get('csrf'),
      context.req.param('slug'),
      { notice: context.req.query('notice'), reloading: true },
    );
    // No script: while an operation runs the browser reloads the page itself (the alert says so).
    if (busy) context.header('refresh', String(reloadSeconds));
    return sendPage(context, page);
  });

  app.post('/instances/:slug/scale', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const slug = context.req.param('slug');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const replicas = body.get('replicas').trim();
    try {
      await scaleInstance(ui.deps, actor, {
        slug,
        replicas: replicas === '' ? Number.NaN : Number(replicas),
      });
      return seeOther(context, `/instances/${slug}?notice=scaling`);
    } catch (error) {
      const refused = inputError(error);
      if (!refused) throw error;
      const { page } = await renderDetails(actor, context.get('csrf'), slug, {
        scale: { replicas, error: refused.message },
      });
      return sendPage(context, page, isRoostError(error, 'conflict') ? 409 : 400);
    }
  });

  app.get('/instances/:slug/decommission', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const { instance } = await getInstance(ui.deps, actor, { slug: context.req.param('slug') });
    return sendPage(
      context,
      appPage({
        title: `Decommission ${instance.slug}`,
        actor,
        csrf: context.get('csrf'),
        current: '/instances',
        body: confirmBody(instance.slug, context.get('csrf')),
      }),
    );
  });

  for (const [action, { run }] of Object.entries(lifecycleActions)) {
    app.post(`/instances/:slug/${action}`, ui.page('instances:write'), async (context) => {
      const actor = context.get('actor');
      const slug = context.req.param('slug');
      const body = await readForm(context);
      checkRequestCsrf(context, actor, body.get('_csrf'));
      await run(ui.deps, actor, { slug });
      return seeOther(context, `/instances/${slug}?notice=${action}`);
    });
  }
  app.post('/instances/:slug/rotate', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const slug = context.req.param('slug');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    await rotateInstanceSecret(ui.deps, actor, {
      slug,
      name: body.get('name') as Parameters<typeof rotateInstanceSecret>[2]['name'],
    });
    return seeOther(context, `/instances/${slug}?notice=rotate`);
  });
  app.post('/instances/:slug/decommission', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const { instance } = await getInstance(ui.deps, actor, { slug: context.req.param('slug') });
    const refuse = (message: string, status: 400 | 409) =>
      sendPage(
        context,
        appPage({
          title: `Decommission ${instance.slug}`,
          actor,
          csrf,
          current: '/instances',
          body: confirmBody(instance.slug, csrf, message),
        }),
        status,
      );
    if (body.get('confirm').trim() !== instance.slug)
      return refuse(`Type ${instance.slug} exactly to confirm; nothing was changed.`, 400);
    try {
      await decommissionInstance(ui.deps, actor, { slug: instance.slug });
    } catch (error) {
      if (isRoostError(error, 'conflict')) return refuse(sentence(error.message), 409);
      throw error;
    }
    return seeOther(context, `/instances/${instance.slug}?notice=decommissioning`);
  });

  app.route(
    '/',
    migrationPages(
      ui,
      async (actor, csrf, slug, migration) => (await renderDetails(actor, csrf, slug, { migration })).page,
    ),
  );

  return app;
}
