import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Actor } from '../../../auth/index.ts';
import { type Instance, runtimeKinds } from '../../../instances/index.ts';
import {
  listMigrations,
  type Migration,
  migrationDepsFrom,
  startMigration,
} from '../../../migration/index.ts';
import type { AdminEnv } from '../../middleware/actor.ts';
import { checkRequestCsrf } from '../../middleware/csrf.ts';
import { formatTime } from '../components.ts';
import type { Ui } from '../context.ts';
import { csrfField, type Markup } from '../layout.ts';
import { readForm, seeOther } from '../respond.ts';

/** The instance page's "Move to another runtime" panel (the same migration as `roost instance migrate`). */
export function migrationPanel(instance: Instance, csrf: string | null): Markup {
  const targets = runtimeKinds.filter((kind) => kind !== instance.runtime);
  return html`<div class="panel">
  <h2 id="migrate-heading">Move to another runtime</h2>
  <p>A fresh backup, a new stack on the target, the backup restored and verified (<code>/status</code>, row counts), then the name switched and the old stack removed. Until the switch the instance keeps serving from ${instance.runtime}; any failure rolls back.${instance.environment === 'production' ? ' Production: admins with a fresh second factor.' : ''}</p>
  <form method="post" action="/instances/${instance.slug}/migrate" class="form" novalidate aria-labelledby="migrate-heading">
    ${csrfField(csrf)}
    <label for="migrate-to">Target runtime</label>
    <select id="migrate-to" name="to">${targets.map((kind) => html`<option value="${kind}">${kind}</option>`)}</select>
    <p class="hint">Runtimes, not nodes: nodes are not modelled yet.</p>
    <div class="actions"><button type="submit" class="button">Migrate ${instance.slug}</button></div>
  </form>
</div>`;
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

/** `POST /instances/:slug/migrate`: starts the migration, then the instance page follows it. */
export function migrationPages(ui: Ui): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.post('/instances/:slug/migrate', ui.page('instances:write'), async (context) => {
    const actor = context.get('actor');
    const slug = context.req.param('slug');
    const body = await readForm(context);
    checkRequestCsrf(context, actor, body.get('_csrf'));
    await startMigration(migrationDepsFrom(ui.deps), actor, { slug, to: body.get('to') });
    return seeOther(context, `/instances/${slug}?notice=migrating`);
  });
  return app;
}
export type { Migration } from '../../../migration/index.ts';
