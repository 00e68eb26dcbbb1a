import type { Kysely, Selectable } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, InstanceTable } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { type Backup, backupQueue, toBackup } from './records.ts';

/**
 * Records a backup and enqueues its job in one transaction; refused while another backup of the instance
 * is queued or running, so two dumps never compete for one database.
 */
export async function startBackup(
  deps: BackupDeps,
  trx: Kysely<Database>,
  instance: Selectable<InstanceTable>,
  trigger: 'manual' | 'schedule' | 'safety',
  actor: Actor | { id: string; label: string },
): Promise<Backup> {
  if (instance.state === 'decommissioning' || instance.state === 'decommissioned')
    throw new RoostError('conflict', `instance ${instance.slug} is ${instance.state}`, {
      state: instance.state,
    });
  const active = await trx
    .selectFrom('backups')
    .select('id')
    .where('instance_id', '=', instance.id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (active)
    throw new RoostError('conflict', `a backup of ${instance.slug} is already under way (${active.id})`, {
      backupId: active.id,
    });
  const now = deps.clock.now();
  const id = newId('bkp', now);
  const job = await deps.jobs.enqueue(
    { queue: backupQueue, key: `backup:${id}`, payload: { backupId: id }, maxAttempts: 3 },
    { db: trx },
  );
  const row = await trx
    .insertInto('backups')
    .values({
      id,
      instance_id: instance.id,
      state: 'queued',
      trigger,
      target: deps.target.description,
      job_id: job.id,
      bytes: null,
      sha256: null,
      manifest: null,
      progress: 'queued',
      error: null,
      created_at: now.getTime(),
      started_at: null,
      finished_at: null,
      pruned_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await deps.audit.append(
    {
      actor,
      action: 'backup.run',
      target: instance.id,
      result: 'ok',
      details: { slug: instance.slug, backupId: id, trigger },
    },
    { db: trx },
  );
  return toBackup(row);
}
