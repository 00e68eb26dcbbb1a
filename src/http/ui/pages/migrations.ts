import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Actor } from '../../../auth/index.ts';
import { isRoostError } from '../../../core/errors.ts';
import { type Instance, runtimeKinds } from '../../../instances/index.ts';
import {
  listMigrations,
  type Migration,
  migrationDepsFrom,
  startMigration,
} from '../../../migration/index.ts';
import { httpStatusOf } from '../../errors.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { alert, fieldId, formatTime, formError } from '../components.ts';
import type { Ui } from '../context.ts';
import { csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther, sendPage } from '../respond.ts';
import { confirmStepUp, forbiddenRefusal, needsStepUp, stepUpFieldName, stepUpFieldset } from '../step-up.ts';
import { sentence } from './login.ts';

/** What the migration form holds: sent back with the error when the move was refused. */
export interface MigrationForm {
  to: string;
  error?: string;
  /** The field the error is about, when it is about one (`code`: a second factor is needed, or was wrong). */
  errorField?: 'to' | 'code';
}

export const emptyMigrationForm: MigrationForm = { to: '' };

/** The instance page's "Move to another runtime" panel (the same migration as `roost instance migrate`). */
export function migrationPanel(
  ui: Ui,
  actor: Actor,
  instance: Instance,
  csrf: string | null,
  form: MigrationForm,
): Markup {
  const targets = runtimeKinds.filter((kind) => kind !== instance.runtime);
  const production = instance.environment === 'production';
  // Asked up front when the instance is production, else once a production move was refused for it.
  const askCode = needsStepUp(ui, actor) && (production || form.errorField === 'code');
  const id = fieldId('to');
  const toError = form.errorField === 'to' ? form.error : undefined;
  const describedBy = [`${id}-hint`, ...(toError ? [`${id}-error`] : [])].join(' ');
  return html`<section class="panel" aria-labelledby="migrate-heading" id="migrate">
  <h2 id="migrate-heading">Move to another runtime</h2>
  <p>A fresh backup, a new stack on the target, the backup restored and verified (<code>/status</code>, row counts), then the name switched and the old stack removed. Until the switch the instance keeps serving from ${instance.runtime}; any failure rolls back.</p>
  ${production ? alert('warning', `${instance.slug} is a production instance: moving it needs an admin who entered their second-factor code in the last 5 minutes.`) : ''}
  ${toError ? '' : formError(form.error)}
  <form method="post" action="/instances/${instance.slug}/migrate" class="form" novalidate aria-labelledby="migrate-heading">
    ${csrfField(csrf)}
    <div class="field">
      <label for="${id}">Target runtime</label>
      <p class="hint" id="${id}-hint">Runtimes, not nodes: nodes are not modelled yet.</p>
      <select id="${id}" name="to" aria-describedby="${describedBy}"${toError ? raw(' aria-invalid="true"') : ''}>${targets.map((kind) => html`<option value="${kind}"${kind === form.to ? raw(' selected') : ''}>${kind}</option>`)}</select>
      ${toError ? html`<p class="field-error" id="${id}-error">${toError}</p>` : ''}
    </div>
    ${askCode ? stepUpFieldset({ why: 'Moving a production instance needs a code entered in the last 5 minutes, and yours is older.', invalid: form.errorField === 'code' }) : ''}
    <div class="actions"><button type="submit" class="button">Migrate ${instance.slug}</button></div>
  </form>
</section>`;
}

/** The instance's recent migrations with the time of each step (the report). */
export function migrationsSection(ui: Ui, migrations: Migration[]): Markup {
  if (migrations.length === 0) return html``;
  return html`<h2>Migrations</h2>
<table class="table">
  <caption>Newest first; each step's time (times in ${ui.timeZone})</caption>
  <thead><tr><th scope="col">Migration</th><th scope="col">Move</th><th scope="col">State</th><th scope="col">Steps</th></tr></thead>
  <tbody>
  ${migrations.map(
    (migration) => html`<tr>
    <th scope="row" class="nowrap"><code>${migration.id}</code><span class="cell-sub">${formatTime(migration.createdAt, ui.timeZone, 'compact')}</span></th>
    <td class="nowrap">${migration.source} → ${migration.target}</td>
    <td>${migration.state}${migration.error ? html`<span class="cell-sub">${migration.error}</span>` : ''}</td>
    <td>${migration.steps.map((step) => html`<span class="cell-sub">${step.step}: ${step.ms} ms</span>`)}</td>
  </tr>`,
  )}
  </tbody>
</table>`;
}

export async function recentMigrations(ui: Ui, actor: Actor, slug: string): Promise<Migration[]> {
  return listMigrations(ui.deps, actor, { slug, limit: 5 });
}

/** A refused move in the form's words: on its field when the domain names one; undefined when unexpected. */
export function migrationRefusal(
  error: unknown,
): { message: string; field?: MigrationForm['errorField']; status: ContentfulStatusCode } | undefined {
  if (!isRoostError(error)) return undefined;
  const status = httpStatusOf[error.code];
  if (error.code === 'forbidden')
    return forbiddenRefusal(error, {
      what: 'Moving a production instance',
      again: 'start the migration again; your choice is kept.',
      nothingDone: 'Nothing was moved.',
      adminOnly:
        'Only an admin with a fresh second factor may move a production instance. Nothing was moved; ask an admin.',
    });
  if (error.code === 'invalid_input') {
    const issues = error.details?.issues;
    const first = Array.isArray(issues) ? (issues[0] as { path?: unknown } | undefined) : undefined;
    if ((error.details?.field ?? first?.path) === 'to')
      return { message: sentence(error.message.replace(/^to: /, '')), field: 'to', status };
    return { message: `${sentence(error.message)} Nothing was moved.`, status };
  }
  // Busy with another operation, or not running (any more): the page says why, the form may be gone.
  if (error.code === 'conflict') return { message: `${sentence(error.message)} Nothing was moved.`, status };
  return undefined;
}

/**
 * `POST /instances/:slug/migrate`: starts the migration, then the instance page follows it. A refusal shows
 * the instance page again with the form and why; production may need a second-factor code, asked inline.
 */
export function migrationPages(
  ui: Ui,
  renderInstancePage: (
    actor: Actor,
    csrf: string | null,
    slug: string,
    form: MigrationForm,
  ) => Promise<Markup>,
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.post('/instances/:slug/migrate', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const slug = context.req.param('slug');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    const form: MigrationForm = { to: body.get('to').trim() };
    let mover = actor;
    const refuse = async (
      message: string,
      status: ContentfulStatusCode,
      field?: MigrationForm['errorField'],
    ) =>
      sendPage(
        context,
        await renderInstancePage(mover, context.get('csrf'), slug, {
          ...form,
          error: message,
          ...(field ? { errorField: field } : {}),
        }),
        status,
      );
    // A code sent with the form (step-up) is confirmed first; the move then runs with the fresh factor.
    const code = body.get(stepUpFieldName).trim();
    if (code !== '') {
      const confirmed = await confirmStepUp(ui, context, code, 'Nothing was moved.');
      if ('refusal' in confirmed) return refuse(confirmed.refusal, confirmed.status, 'code');
      mover = confirmed.actor;
    }
    try {
      await startMigration(migrationDepsFrom(ui.deps), mover, { slug, to: form.to });
    } catch (error) {
      const refused = migrationRefusal(error);
      if (!refused) throw error;
      return refuse(refused.message, refused.status, refused.field);
    }
    return seeOther(context, `/instances/${slug}?notice=migrating`);
  });
  return app;
}
export type { Migration } from '../../../migration/index.ts';
