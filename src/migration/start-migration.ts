import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { requireProductionAccess } from '../auth/production-access.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { type RuntimeKind, runtimeKinds } from '../instances/index.ts';
import type { Database, InstanceTable } from '../store/index.ts';
import type { MigrationDeps } from './deps.ts';
import { type Migration, migrationQueue, toMigration } from './records.ts';

const startMigrationInput = z.object({
  slug: z.string().min(1).max(100),
  to: z.string().max(100),
  /** `fresh` (default): a new backup first; `latest`: the newest good one; or a backup id. */
  backup: z.string().min(1).max(100).default('fresh'),
  trigger: z.enum(['manual', 'drp', 'drill']).default('manual'),
});

/**
 * Queues the move of an instance to another runtime (R22). Production needs an admin with a fresh second
 * factor (`keys:export`, as restoring production does: the move decrypts its backup); other environments
 * `instances:write` (operators). The operation row keeps every other operation of the instance away until
 * the move ends; the migration row, the operation, the job and the audit event commit together.
 */
export async function startMigration(
  deps: MigrationDeps,
  actor: Actor,
  input: z.input<typeof startMigrationInput>,
): Promise<Migration> {
  authorize(actor, 'instances:write');
  const { slug, to, backup, trigger } = parseInput(startMigrationInput, input);
  if (!(runtimeKinds as readonly string[]).includes(to))
    throw new RoostError('invalid_input', `to: expected one of ${runtimeKinds.join(', ')}, got "${to}"`, {
      field: 'to',
    });
  const target = to as RuntimeKind;
  const { db } = deps.store;
  const instance = await db.selectFrom('instances').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!instance) throw new RoostError('not_found', `no instance ${slug}`, { slug });
  if (instance.environment === 'production') await requireProductionRights(deps, actor, instance);
  if (instance.runtime === target)
    throw new RoostError('invalid_input', `to: ${slug} already runs on ${target}`, { field: 'to' });
  if (instance.state !== 'running' && instance.state !== 'degraded')
    throw new RoostError(
      'conflict',
      `${slug} is ${instance.state}: only a running (or degraded) instance can be migrated`,
      { state: instance.state },
    );
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', instance.id)
      .executeTakeFirstOrThrow();
    await refuseBusy(trx, current);
    if (backup !== 'fresh' && backup !== 'latest') {
      const found = await trx
        .selectFrom('backups')
        .select('id')
        .where('id', '=', backup)
        .where('instance_id', '=', current.id)
        .where('state', '=', 'succeeded')
        .executeTakeFirst();
      if (!found)
        throw new RoostError('not_found', `backup: no good backup ${backup} of ${slug}`, { field: 'backup' });
    }
    const now = deps.clock.now();
    const id = newId('mig', now);
    const operationId = newId('op', now);
    const job = await deps.jobs.enqueue(
      { queue: migrationQueue, key: `migrate:${id}`, payload: { migrationId: id }, maxAttempts: 3 },
      { db: trx },
    );
    await trx
      .insertInto('instance_operations')
      .values({
        id: operationId,
        instance_id: current.id,
        kind: 'migrate',
        state: 'queued',
        job_id: job.id,
        progress: `queued: move to ${target}`,
        error: null,
        details: JSON.stringify({ migrationId: id }),
        created_at: now.getTime(),
        started_at: null,
        finished_at: null,
      })
      .execute();
    const row = await trx
      .insertInto('instance_migrations')
      .values({
        id,
        instance_id: current.id,
        operation_id: operationId,
        source: current.runtime,
        target,
        trigger,
        state: 'queued',
        step: 'queued',
        backup_choice: backup,
        backup_id: backup === 'fresh' || backup === 'latest' ? null : backup,
        endpoint: null,
        report: '[]',
        error: null,
        requested_by: JSON.stringify({ id: actor.id, label: actor.label }),
        created_at: now.getTime(),
        started_at: null,
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.audit.append(
      {
        actor,
        action: 'instance.migrate',
        target: current.id,
        result: 'ok',
        details: { slug, from: current.runtime, to: target, backup, trigger, migrationId: id, operationId },
      },
      { db: trx },
    );
    return toMigration(row);
  });
}

async function requireProductionRights(
  deps: MigrationDeps,
  actor: Actor,
  instance: Selectable<InstanceTable>,
): Promise<void> {
  await requireProductionAccess(deps, actor, {
    action: 'instance.migrate',
    target: instance.id,
    details: { slug: instance.slug },
  });
}

/** One operation of an instance at a time; a migration holds its operation from start to end. */
export async function refuseBusy(trx: Kysely<Database>, row: Selectable<InstanceTable>): Promise<void> {
  const active = await trx
    .selectFrom('instance_operations')
    .select(['id', 'kind'])
    .where('instance_id', '=', row.id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (active)
    throw new RoostError(
      'conflict',
      `instance ${row.slug} has an operation in progress (${active.kind} ${active.id}); wait for it to end`,
      { operationId: active.id },
    );
}
