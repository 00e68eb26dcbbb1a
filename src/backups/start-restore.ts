import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { BackupDeps } from './deps.ts';
import { restoreById } from './list-restores.ts';
import { restoreQueue } from './records.ts';
import { planRestore, type restoreBackupInput } from './restore-backup.ts';
import type { BackupRestore } from './restore-records.ts';

/**
 * Queues a restore (the same input and rules as `restoreBackup`): who may restore what is decided here,
 * with the actor who asks (production needs an admin with a fresh second factor; in place needs the slug
 * repeated), and the backup is chosen now. The row, the `backup.restore` job (its payload only the restore's
 * id) and the audit event commit together; the job carries the decision out. One restore of an instance
 * at a time, and one per new slug.
 */
export async function startRestore(
  deps: BackupDeps,
  actor: Actor,
  input: z.input<typeof restoreBackupInput>,
): Promise<BackupRestore> {
  const plan = await planRestore(deps, actor, input);
  const { source, backup, into } = plan;
  const id = await deps.store.db.transaction().execute(async (trx) => {
    const active = await trx
      .selectFrom('backup_restores')
      .select('id')
      .where('state', 'in', ['queued', 'running'])
      .where((where) =>
        into === undefined
          ? where('instance_id', '=', source.id)
          : where.or([where('instance_id', '=', source.id), where('into_slug', '=', into.slug)]),
      )
      .executeTakeFirst();
    if (active)
      throw new RoostError(
        'conflict',
        `a restore of ${source.slug}${into ? ` or into ${into.slug}` : ''} is already under way (${active.id})`,
        { restoreId: active.id },
      );
    const now = deps.clock.now();
    const restoreId = newId('rst', now);
    const job = await deps.jobs.enqueue(
      { queue: restoreQueue, key: `restore:${restoreId}`, payload: { restoreId }, maxAttempts: 2 },
      { db: trx },
    );
    await trx
      .insertInto('backup_restores')
      .values({
        id: restoreId,
        instance_id: source.id,
        backup_id: backup.id,
        into_slug: into?.slug ?? null,
        into_environment: into?.environment ?? null,
        into_runtime: into?.runtime ?? null,
        state: 'queued',
        job_id: job.id,
        progress: 'queued',
        steps: '[]',
        report: null,
        error: null,
        requested_by: JSON.stringify({ id: actor.id, label: actor.label }),
        created_at: now.getTime(),
        started_at: null,
        finished_at: null,
      })
      .execute();
    await deps.audit.append(
      {
        actor,
        action: 'backup.restore',
        target: source.id,
        result: 'ok',
        details: {
          slug: source.slug,
          into: into?.slug ?? source.slug,
          mode: into ? 'into' : 'in-place',
          backupId: backup.id,
          restoreId,
          queued: true,
        },
      },
      { db: trx },
    );
    return restoreId;
  });
  return restoreById(deps, id);
}
