import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Actor } from '../../../auth/index.ts';
import {
  type Backup,
  type BackupRestore,
  backupDepsFrom,
  getRestore,
  startRestore,
} from '../../../backups/index.ts';
import { isRoostError, RoostError } from '../../../core/errors.ts';
import type { Instance } from '../../../instances/index.ts';
import { environments } from '../../../runtime/index.ts';
import { httpStatusOf } from '../../errors.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import {
  alert,
  compactTime,
  field,
  fieldId,
  followProgress,
  formatBytes,
  formatTime,
  formError,
  reloadSeconds,
} from '../components.ts';
import type { Ui } from '../context.ts';
import { appPage, csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { confirmStepUp, forbiddenRefusal, needsStepUp, stepUpFieldName, stepUpFieldset } from '../step-up.ts';
import { sentence } from './login.ts';

/** What the restore form holds: sent back with the error when the restore was refused. */
export interface RestoreForm {
  backupId: string;
  mode: 'into' | 'in-place';
  into: string;
  environment: string;
  confirm: string;
  error?: string;
  /** The field the error is about, when it is about one (`code`: a second factor is needed, or was wrong). */
  errorField?: 'backupId' | 'into' | 'environment' | 'confirm' | 'code';
}

export const emptyRestoreForm: RestoreForm = {
  backupId: '',
  mode: 'into',
  into: '',
  environment: 'staging',
  confirm: '',
};

const stateTone: Record<BackupRestore['state'], string> = {
  queued: 'warn',
  running: 'warn',
  succeeded: 'ok',
  failed: 'bad',
};

export const restoreInProgress = (restore: BackupRestore): boolean =>
  restore.state === 'queued' || restore.state === 'running';

const restorePath = (restore: BackupRestore) =>
  `/backups/${restore.slug}/restores/${encodeURIComponent(restore.id)}`;

function badge(restore: BackupRestore): Markup {
  return html`<span class="badge ${stateTone[restore.state]}" data-restore-state="${restore.state}">${restore.state}</span>`;
}

function destination(restore: BackupRestore): Markup {
  return restore.into
    ? html`new instance <a href="/instances/${restore.into.slug}">${restore.into.slug}</a> (${restore.into.environment}, ${restore.into.runtime})`
    : html`in place (the data of ${restore.slug} is replaced)`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The `<option>` text of a backup: when, why, how big, which. */
function backupLabel(ui: Ui, backup: Backup, newest: boolean): string {
  const size = backup.bytes === null ? '' : `, ${formatBytes(backup.bytes)}`;
  return `${compactTime(backup.createdAt, ui.timeZone)} (${backup.trigger}${size})${newest ? ', newest' : ''} · ${backup.id}`;
}

/**
 * The "Restore a backup" panel of an instance's Backups page: a verified backup (the newest by default),
 * into a new instance or in place; in place needs the slug typed, as decommissioning does.
 */
export function restorePanel(
  ui: Ui,
  actor: Actor,
  instance: Instance,
  csrf: string | null,
  backups: Backup[],
  form: RestoreForm,
): Markup {
  const good = backups.filter((backup) => backup.state === 'succeeded');
  const slug = instance.slug;
  if (good.length === 0)
    return html`<section class="panel" aria-labelledby="restore-heading">
  <h2 id="restore-heading">Restore a backup</h2>
  <p class="empty">There is no verified backup of ${slug} to restore yet.</p>
</section>`;
  const chosen = form.backupId || good[0]?.id;
  const errorOn = (name: RestoreForm['errorField']) => (form.errorField === name ? form.error : undefined);
  const environmentError = errorOn('environment');
  const backupError = errorOn('backupId');
  const checked = (mode: RestoreForm['mode']) => (form.mode === mode ? raw(' checked') : '');
  const production = instance.environment === 'production';
  // Asked up front when the instance is production, else once a production restore was refused for it.
  const askCode = needsStepUp(ui, actor) && (production || form.errorField === 'code');
  return html`<section class="panel" aria-labelledby="restore-heading" id="restore">
  <h2 id="restore-heading">Restore a backup</h2>
  <p>The backup's checksums are verified before anything is touched; after the restore, row counts are compared with the backup's and the app's <code>/status</code> must answer OK. It runs in the background and takes minutes; the next page follows it.</p>
  ${production ? alert('warning', `${slug} is a production instance: restoring it in place needs an admin who entered their second-factor code in the last 5 minutes.`) : ''}
  ${form.errorField && form.errorField !== 'code' ? '' : formError(form.error)}
  <form method="post" action="/backups/${slug}/restore" class="form form-wide" novalidate>
    ${csrfField(csrf)}
    <div class="field">
      <label for="${fieldId('backupId')}">Backup</label>
      <p class="hint" id="${fieldId('backupId')}-hint">Verified backups only, newest first (times in ${ui.timeZone}).</p>
      <select id="${fieldId('backupId')}" name="backupId" aria-describedby="${fieldId('backupId')}-hint">
        ${good.map((backup, index) => html`<option value="${backup.id}"${backup.id === chosen ? raw(' selected') : ''}>${backupLabel(ui, backup, index === 0)}</option>`)}
      </select>
      ${backupError ? html`<p class="field-error">${backupError}</p>` : ''}
    </div>
    <fieldset>
      <legend>Where the data goes</legend>
      <div class="choice">
        <label class="check"><input type="radio" name="mode" value="into"${checked('into')}> Into a new instance; ${slug} is not touched</label>
        <div class="choice-fields form-row">
          ${field({ name: 'into', label: 'New instance slug', value: form.into, error: errorOn('into'), hint: `Provisioned for ${instance.customer}. DNS-safe, 3–32 characters: a-z, 0-9 and -.`, attributes: 'maxlength="32" autocapitalize="off" spellcheck="false"' })}
          <div class="field">
            <label for="${fieldId('environment')}">Its environment</label>
            <p class="hint" id="${fieldId('environment')}-hint">Production needs an admin with a fresh second factor.</p>
            <select id="${fieldId('environment')}" name="environment" aria-describedby="${fieldId('environment')}-hint">
              ${environments.map((environment) => html`<option value="${environment}"${environment === form.environment ? raw(' selected') : ''}>${environment}</option>`)}
            </select>
            ${environmentError ? html`<p class="field-error">${environmentError}</p>` : ''}
          </div>
        </div>
      </div>
      <div class="choice">
        <label class="check"><input type="radio" name="mode" value="in-place"${checked('in-place')}> In place: replaces the data of ${slug}</label>
        <div class="choice-fields">
          <p class="hint">A safety backup of the current data is taken first; if it cannot be taken, nothing is restored.</p>
          ${field({ name: 'confirm', label: `Type ${slug} to confirm`, value: form.confirm, error: errorOn('confirm'), autocomplete: 'off', attributes: 'autocapitalize="off" spellcheck="false"' })}
        </div>
      </div>
    </fieldset>
    ${askCode ? stepUpFieldset({ why: 'Restoring into a production instance needs a code entered in the last 5 minutes, and yours is older; not needed for a new staging or preprod instance.', invalid: form.errorField === 'code' }) : ''}
    <div class="actions"><button type="submit" class="button">Start restore</button></div>
  </form>
</section>`;
}

/** The instance's recent restores, each linking to its page. */
export function restoresTable(ui: Ui, restores: BackupRestore[]): Markup {
  if (restores.length === 0) return html`<p class="empty panel">No restore yet.</p>`;
  return html`<div class="table-wrap"><table>
  <caption>Restores, newest first (times in ${ui.timeZone})</caption>
  <thead><tr><th scope="col">Restore</th><th scope="col">State</th><th scope="col">Into</th><th scope="col">Requested by</th><th scope="col">Progress</th></tr></thead>
  <tbody>
  ${restores.map(
    (restore) => html`<tr>
    <th scope="row" class="nowrap"><a href="${restorePath(restore)}">${formatTime(restore.createdAt, ui.timeZone, 'compact')}</a><span class="cell-sub">${restore.id}</span></th>
    <td>${badge(restore)}</td>
    <td><span class="nowrap">${restore.into ? restore.into.slug : 'in place'}</span><span class="cell-sub break">from ${restore.backupId}</span></td>
    <td>${restore.requestedBy.label}</td>
    <td>${restore.state === 'succeeded' ? 'row counts match, /status OK' : (restore.error ?? restore.progress ?? '')}</td>
  </tr>`,
  )}
  </tbody>
</table></div>`;
}

function outcome(restore: BackupRestore): Markup {
  if (restoreInProgress(restore))
    return alert(
      'info',
      html`${restore.state === 'queued' ? 'Waiting for a worker.' : sentence(restore.progress ?? 'running')} ${followProgress(restorePath(restore), true)}`,
      { title: `The restore is ${restore.state}` },
    );
  if (restore.state === 'failed')
    return alert('error', sentence(restore.error ?? 'the restore failed without a message'), {
      title: 'The restore failed',
      id: 'restore-outcome',
    });
  const report = restore.report;
  return alert(
    'success',
    html`Backup ${restore.backupId} was restored into ${report?.restoredInto ?? restore.slug}: the row counts match the backup's and the app's <code>/status</code> answers OK.${
      report?.safetyBackupId
        ? html` The data it replaced is in the safety backup ${report.safetyBackupId}.`
        : ''
    }`,
    { title: 'The restore succeeded', id: 'restore-outcome' },
  );
}

function restoreBody(ui: Ui, restore: BackupRestore, notice: boolean): Markup {
  const report = restore.report;
  const when = (time: Date | null) =>
    time ? formatTime(time, ui.timeZone) : html`<span class="muted">—</span>`;
  return html`<p><a href="/backups/${restore.slug}">← Backups of ${restore.slug}</a></p>
<h1>Restore of ${restore.slug} ${badge(restore)}</h1>
${notice && restoreInProgress(restore) ? alert('success', 'The restore is queued: it runs in the background and this page follows it.') : ''}
${outcome(restore)}
<div class="panel">
  <dl class="facts">
    <dt>Backup</dt><dd><code>${restore.backupId}</code></dd>
    <dt>Into</dt><dd>${destination(restore)}</dd>
    <dt>Requested by</dt><dd>${restore.requestedBy.label}</dd>
    <dt>Queued</dt><dd>${formatTime(restore.createdAt, ui.timeZone)}</dd>
    <dt>Started</dt><dd>${when(restore.startedAt)}</dd>
    <dt>Finished</dt><dd>${when(restore.finishedAt)}</dd>
    ${report?.safetyBackupId ? html`<dt>Safety backup</dt><dd><code>${report.safetyBackupId}</code></dd>` : ''}
    ${report?.status ? html`<dt>App status</dt><dd>${report.status.ok ? 'OK' : 'not OK'} <span class="muted">${report.status.url}</span></dd>` : ''}
    <dt>Id</dt><dd><code>${restore.id}</code></dd>
  </dl>
</div>
<h2>Steps</h2>
${
  restore.steps.length === 0
    ? html`<p class="empty panel">No step done yet.</p>`
    : html`<div class="table-wrap"><table>
  <caption>Each step with its duration, in order</caption>
  <thead><tr><th scope="col">Step</th><th scope="col">Duration</th></tr></thead>
  <tbody>${restore.steps.map((step) => html`<tr><th scope="row">${step.step}</th><td class="nowrap">${seconds(step.ms)}</td></tr>`)}</tbody>
</table></div>`
}
${
  report
    ? html`<h2>Row counts</h2>
<div class="table-wrap"><table>
  <caption>Rows per table: in the backup's manifest and in the restored database</caption>
  <thead><tr><th scope="col">Table</th><th scope="col">Backup</th><th scope="col">Restored</th></tr></thead>
  <tbody>${Object.entries(report.rowCounts.expected).map(
    ([table, count]) =>
      html`<tr><th scope="row">${table}</th><td>${count}</td><td>${report.rowCounts.actual[table] ?? '—'}</td></tr>`,
  )}</tbody>
</table></div>`
    : ''
}`;
}

/** A refused restore in the form's words: on its field when the domain names one. */
export function refusal(
  error: unknown,
  slug: string,
): { message: string; field?: RestoreForm['errorField']; status: ContentfulStatusCode } | undefined {
  if (!isRoostError(error) || error.code === 'internal' || error.code === 'unauthenticated') return undefined;
  const status = httpStatusOf[error.code];
  if (error.code === 'forbidden')
    return forbiddenRefusal(error, {
      what: 'Restoring into a production instance',
      again: 'start the restore again; your choices are kept.',
      nothingDone: 'Nothing was restored.',
      adminOnly:
        'Only an admin with a fresh second factor may restore into a production instance. Nothing was restored; ask an admin, or restore into a new staging instance.',
    });
  const issues = error.details?.issues;
  const first = Array.isArray(issues) ? (issues[0] as { path?: unknown } | undefined) : undefined;
  const named = typeof error.details?.field === 'string' ? error.details.field : first?.path;
  const field = (['backupId', 'into', 'environment', 'confirm'] as const).find((name) => name === named);
  if (error.code === 'not_found' && error.details?.slug === slug)
    return { message: sentence(error.message), field: 'backupId', status };
  return { message: sentence(error.message), ...(field ? { field } : {}), status };
}

/** `POST /backups/:slug/restore` queues the restore; `/backups/:slug/restores/:id` follows it. */
export function restorePages(
  ui: Ui,
  renderInstancePage: (actor: Actor, csrf: string | null, slug: string, form: RestoreForm) => Promise<Markup>,
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.post('/backups/:slug/restore', ui.page('backups:write'), async (context) => {
    const actor = context.get('actor');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const slug = context.req.param('slug');
    const form: RestoreForm = {
      backupId: body.get('backupId').trim(),
      mode: body.get('mode') === 'in-place' ? 'in-place' : 'into',
      into: body.get('into').trim(),
      environment: body.get('environment'),
      confirm: body.get('confirm').trim(),
    };
    let restorer = actor;
    const refuse = async (message: string, status: ContentfulStatusCode, field?: RestoreForm['errorField']) =>
      sendPage(
        context,
        await renderInstancePage(restorer, context.get('csrf'), slug, {
          ...form,
          error: message,
          ...(field ? { errorField: field } : {}),
        }),
        status,
      );
    if (form.mode === 'in-place' && form.confirm !== slug)
      return refuse(`Type ${slug} exactly to restore it in place; nothing was restored.`, 400, 'confirm');
    if (form.mode === 'into' && form.into === '')
      return refuse('Name the new instance to restore into.', 400, 'into');
    // A code sent with the form (step-up) is confirmed first; the restore then runs with the fresh factor.
    const code = body.get(stepUpFieldName).trim();
    if (code !== '') {
      const confirmed = await confirmStepUp(ui, context, code, 'Nothing was restored.');
      if ('refusal' in confirmed) return refuse(confirmed.refusal, confirmed.status, 'code');
      restorer = confirmed.actor;
    }
    try {
      const restore = await startRestore(backupDepsFrom(ui.deps), restorer, {
        slug,
        ...(form.backupId ? { backupId: form.backupId } : {}),
        ...(form.mode === 'in-place'
          ? { confirm: form.confirm }
          : { into: form.into, environment: form.environment as (typeof environments)[number] }),
      });
      return seeOther(context, `${restorePath(restore)}?notice=queued`);
    } catch (error) {
      const refused = refusal(error, slug);
      if (!refused) throw error;
      return refuse(refused.message, refused.status, refused.field);
    }
  });

  app.get('/backups/:slug/restores/:id', ui.page('backups:read'), async (context) => {
    const actor = context.get('actor');
    const restore = await getRestore(ui.deps, actor, context.req.param('id'));
    if (restore.slug !== context.req.param('slug'))
      throw new RoostError('not_found', `no restore ${restore.id} of ${context.req.param('slug')}`);
    // No script: while the restore runs the browser reloads the page itself (the alert says so).
    // Reloaded without the notice, which is about the moment it was queued.
    if (restoreInProgress(restore))
      context.header('refresh', `${reloadSeconds}; url=${restorePath(restore)}`);
    return sendPage(
      context,
      appPage({
        title: `Restore of ${restore.slug}`,
        actor,
        csrf: context.get('csrf'),
        current: '/backups',
        body: restoreBody(ui, restore, context.req.query('notice') === 'queued'),
      }),
    );
  });

  return app;
}
