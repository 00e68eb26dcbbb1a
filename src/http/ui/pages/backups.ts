import { Hono } from 'hono';
import { html } from 'hono/html';
import { type Actor, can } from '../../../auth/index.ts';
import {
  type Backup,
  backupDepsFrom,
  listBackups,
  listDrills,
  listRestores,
  type RestoreDrill,
  runBackup,
  startDrill,
} from '../../../backups/index.ts';
import { isRoostError, RoostError } from '../../../core/errors.ts';
import { type Instance, listInstances } from '../../../instances/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, followProgress, formatBytes, formatTime, reloadSeconds } from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import {
  emptyRestoreForm,
  type RestoreForm,
  restoreInProgress,
  restorePages,
  restorePanel,
  restoresTable,
} from './restores.ts';

const tone: Record<Backup['state'], string> = {
  queued: 'warn',
  running: 'warn',
  succeeded: 'ok',
  failed: 'bad',
  pruned: '',
};

/** Fixed texts shown after a redirect; a link cannot make the page say more. */
const notices = {
  queued: 'The backup is queued. It runs in the background; reload this page to follow it.',
  busy: 'A backup of this instance is already under way.',
  drill:
    'The restore drill is queued: a throw-away instance is made, restored, checked and removed; reload this page to follow it.',
} as const;

const size = (bytes: number | null): string => (bytes === null ? '—' : formatBytes(bytes));

function duration(backup: Backup): string {
  if (!backup.startedAt || !backup.finishedAt) return '—';
  return `${((backup.finishedAt.getTime() - backup.startedAt.getTime()) / 1000).toFixed(1)} s`;
}

function backupRows(ui: Ui, backups: Backup[]): Markup {
  if (backups.length === 0) return html`<p class="empty panel">No backup yet.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>Newest first; only a verified backup with its manifest counts (times in ${ui.timeZone})</caption>
  <thead><tr>
    <th scope="col">Backup</th><th scope="col">State</th><th scope="col">Trigger</th><th scope="col">Size</th>
    <th scope="col">Duration</th><th scope="col">Verification</th>
  </tr></thead>
  <tbody>
  ${backups.map(
    (backup) => html`<tr>
    <th scope="row" class="nowrap">${formatTime(backup.createdAt, ui.timeZone, 'compact')}<span class="cell-sub">${backup.id}</span></th>
    <td><span class="badge${tone[backup.state] ? ` ${tone[backup.state]}` : ''}" data-state="${backup.state}">${backup.state}</span></td>
    <td>${backup.trigger}</td>
    <td class="nowrap">${size(backup.bytes)}</td>
    <td class="nowrap">${duration(backup)}</td>
    <td class="break">${
      backup.state === 'succeeded'
        ? html`checksums verified; key ${backup.manifest?.key.fingerprint.slice(-16) ?? ''}`
        : (backup.error ?? backup.progress ?? '')
    }</td>
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

const drillTone: Record<RestoreDrill['state'], string> = {
  queued: 'warn',
  running: 'warn',
  succeeded: 'ok',
  failed: 'bad',
};

/** The instance's latest restore drills; a warning when the latest one failed. */
function drillRows(ui: Ui, instance: Instance, drills: RestoreDrill[]): Markup {
  if (drills.length === 0)
    return html`<p class="muted">No restore drill yet: <code>roost backup drill run ${instance.slug}</code>.</p>`;
  const latestDone = drills.find((drill) => drill.state === 'succeeded' || drill.state === 'failed');
  const warning =
    latestDone?.state === 'failed'
      ? alert('warning', `The latest restore drill failed: ${latestDone.error ?? 'unknown error'}`, {
          id: `drill-failed-${instance.slug}`,
          title: 'Restore drill failed',
        })
      : html``;
  return html`${warning}<div class="table-wrap"><table>
  <caption>Restore drills, newest first: the latest good backup restored into a throw-away instance, verified (row counts, /status), removed</caption>
  <thead><tr><th scope="col">Drill</th><th scope="col">State</th><th scope="col">Backup</th><th scope="col">Steps</th></tr></thead>
  <tbody>
  ${drills.map(
    (drill) => html`<tr>
    <th scope="row" class="nowrap">${formatTime(drill.createdAt, ui.timeZone, 'compact')}<span class="cell-sub">${drill.id}</span></th>
    <td><span class="badge${drillTone[drill.state] ? ` ${drillTone[drill.state]}` : ''}" data-drill-state="${drill.state}">${drill.state}</span></td>
    <td class="break">${drill.backupId ?? '—'}</td>
    <td class="break">${drill.error ?? drill.steps.map((step) => `${step.step} ${(step.ms / 1000).toFixed(1)} s`).join('; ')}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

/** "Back up now", "Run a restore drill" and, on the overview, the way to the restore form. */
function actionButtons(
  actor: Actor,
  csrf: string | null,
  instance: Instance,
  from: 'all' | 'instance',
): Markup {
  if (!can(actor, 'backups:write') || instance.state === 'decommissioned') return html``;
  const back = from === 'instance' ? html`<input type="hidden" name="from" value="instance">` : '';
  return html`<div class="actions toolbar">
  <form method="post" action="/backups/${instance.slug}/run" class="inline-form">${csrfField(csrf)}${back}<button type="submit" class="button small">Back up now</button></form>
  <form method="post" action="/backups/${instance.slug}/drill" class="inline-form">${csrfField(csrf)}${back}<button type="submit" class="button small secondary">Run a restore drill</button></form>
  ${from === 'all' ? html`<a class="button small secondary" href="/backups/${instance.slug}#restore">Restore…</a>` : ''}
</div>`;
}

async function instanceSection(
  ui: Ui,
  actor: Actor,
  csrf: string | null,
  instance: Instance,
): Promise<Markup> {
  const backups = await listBackups(ui.deps, actor, { slug: instance.slug });
  const drills = await listDrills(ui.deps, actor, { slug: instance.slug, limit: 5 });
  return html`<section class="panel" id="backups-${instance.slug}" aria-labelledby="heading-${instance.slug}">
  <h2 id="heading-${instance.slug}"><a href="/backups/${instance.slug}">${instance.slug}</a> <span class="muted">${instance.customer}, ${instance.environment}</span></h2>
  ${actionButtons(actor, csrf, instance, 'all')}
  ${backupRows(ui, backups)}
  ${drillRows(ui, instance, drills)}
</section>`;
}

/**
 * `/backups`: every instance's backups (time, size, duration, state, verification) and "back up now";
 * `/backups/:slug`: one instance's backups, restores and drills, with the restore form.
 */
export function backupPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/backups', ui.page('backups:read'), async (context) => {
    const actor = context.get('actor');
    const csrf = context.get('csrf');
    const notice = context.req.query('notice');
    const instances = can(actor, 'instances:read')
      ? (await listInstances(ui.deps, actor)).filter((instance) => instance.state !== 'decommissioned')
      : [];
    const sections = await Promise.all(
      instances.map((instance) => instanceSection(ui, actor, csrf, instance)),
    );
    const body = html`<h1>Backups</h1>
<p class="page-intro">Each instance is backed up daily between ${ui.deps.config.backups.windowStart} and ${ui.deps.config.backups.windowEnd} (${ui.timeZone}), encrypted with its own OpenPGP key; the newest ${ui.deps.config.backups.keepDaily} daily backups are kept. Restore a backup from an instance's page (its name below): into a new instance, or in place after a safety backup of the current data. Restore drills run ${ui.deps.config.backups.drills.every === 'off' ? 'only by hand' : ui.deps.config.backups.drills.every}.</p>
${notice && Object.hasOwn(notices, notice) ? alert(notice === 'busy' ? 'warning' : 'success', notices[notice as keyof typeof notices]) : html``}
${instances.length === 0 ? html`<p class="empty panel">There are no instances to back up.</p>` : sections}`;
    return sendPage(context, appPage({ title: 'Backups', actor, csrf, current: '/backups', body }));
  });

  /** The instance's own page: its backups, restores and drills, and the restore form. */
  const renderInstancePage = async (
    actor: Actor,
    csrf: string | null,
    slug: string,
    form: RestoreForm,
    notice?: string,
    /** Sent with the `refresh` header (a GET while work is under way). */
    reloading = false,
  ) => {
    const instance = (await listInstances(ui.deps, actor)).find((candidate) => candidate.slug === slug);
    if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { slug });
    const backups = await listBackups(ui.deps, actor, { slug });
    const restores = await listRestores(ui.deps, actor, { slug, limit: 10 });
    const drills = await listDrills(ui.deps, actor, { slug, limit: 5 });
    const busy =
      restores.some(restoreInProgress) ||
      backups.some((backup) => backup.state === 'queued' || backup.state === 'running');
    const writable = can(actor, 'backups:write') && instance.state !== 'decommissioned';
    const body = html`<p><a href="/backups">← All backups</a></p>
<h1>Backups of ${slug}</h1>
<p class="page-intro">${instance.customer}'s ${instance.environment} instance (<a href="/instances/${slug}">instance page</a>). Encrypted with its own OpenPGP key; only a verified backup with its manifest can be restored.</p>
${notice && Object.hasOwn(notices, notice) ? alert(notice === 'busy' ? 'warning' : 'success', notices[notice as keyof typeof notices]) : ''}
${busy ? alert('info', html`A backup or a restore is under way. ${followProgress(`/backups/${slug}`, reloading)}`) : ''}
${actionButtons(actor, csrf, instance, 'instance')}
${writable ? restorePanel(ui, actor, instance, csrf, backups, form) : ''}
<h2>Restores</h2>
${restoresTable(ui, restores)}
<h2>Backups</h2>
${backupRows(ui, backups)}
<h2>Restore drills</h2>
${drillRows(ui, instance, drills)}`;
    return {
      busy,
      page: appPage({ title: `Backups of ${slug}`, actor, csrf, current: '/backups', body }),
    };
  };

  app.get('/backups/:slug', ui.page('backups:read'), async (context) => {
    const { page, busy } = await renderInstancePage(
      context.get('actor'),
      context.get('csrf'),
      context.req.param('slug'),
      emptyRestoreForm,
      context.req.query('notice'),
      true,
    );
    // No script: while a backup or a restore runs, the browser reloads the page itself.
    if (busy) context.header('refresh', String(reloadSeconds));
    return sendPage(context, page);
  });

  /** Back where the button was: the instance's page, or the overview at the instance's section. */
  const back = (slug: string, from: string, notice: keyof typeof notices) =>
    from === 'instance'
      ? `/backups/${encodeURIComponent(slug)}?notice=${notice}`
      : `/backups?notice=${notice}#backups-${encodeURIComponent(slug)}`;

  app.post('/backups/:slug/run', ui.page('backups:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const slug = context.req.param('slug');
    try {
      await runBackup(backupDepsFrom(ui.deps), actor, { slug });
    } catch (error) {
      if (isRoostError(error, 'conflict')) return seeOther(context, back(slug, body.get('from'), 'busy'));
      throw error;
    }
    return seeOther(context, back(slug, body.get('from'), 'queued'));
  });

  app.post('/backups/:slug/drill', ui.page('backups:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const slug = context.req.param('slug');
    await startDrill(backupDepsFrom(ui.deps), actor, { slug });
    return seeOther(context, back(slug, body.get('from'), 'drill'));
  });

  app.route(
    '/',
    restorePages(
      ui,
      async (actor, csrf, slug, form) => (await renderInstancePage(actor, csrf, slug, form)).page,
    ),
  );

  return app;
}
