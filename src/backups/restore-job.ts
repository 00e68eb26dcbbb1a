import type { Selectable } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import { describeError, RoostError } from '../core/errors.ts';
import type { JobRecord } from '../jobs/index.ts';
import type { BackupRestoreTable, InstanceTable } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { carryOutRestore, goodBackup, type RestoreReport } from './restore-backup.ts';
import { removeInstance } from './restore-into-instance.ts';
import type { RestoreStep } from './restore-into-stack.ts';
import { restoreJobActor } from './restore-records.ts';

type Changes = Partial<Omit<BackupRestoreTable, 'id' | 'instance_id'>>;

/**
 * The `backup.restore` job: carries out the restore queued by `startRestore` as it was decided then (the
 * backup, in place or into which new instance). A restore found `running` was interrupted (the process
 * stopped): a half-made new instance is decommissioned and the restore is recorded as failed, never run a
 * second time behind anyone's back. The job does not throw for a failed restore: the outcome is the record.
 */
export async function runRestoreJob(deps: BackupDeps, job: JobRecord): Promise<unknown> {
  const { restoreId } = job.payload as { restoreId: string };
  const { db } = deps.store;
  const row = await db
    .selectFrom('backup_restores')
    .selectAll()
    .where('id', '=', restoreId)
    .executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no restore ${restoreId}`);
  if (row.state === 'succeeded' || row.state === 'failed') return { skipped: row.state };
  const instance = await db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', row.instance_id)
    .executeTakeFirstOrThrow();
  const requestedBy = JSON.parse(row.requested_by) as { id: string; label: string };
  const actor = restoreJobActor(requestedBy);
  const update = (changes: Changes) =>
    db.updateTable('backup_restores').set(changes).where('id', '=', restoreId).execute();
  const audit = { action: 'backup.restore.finished', details: { restoreId, requestedBy: requestedBy.label } };
  const finish = async (error: string, steps: readonly RestoreStep[]) => {
    await update({
      state: 'failed',
      steps: JSON.stringify(steps),
      error,
      progress: 'failed',
      finished_at: deps.clock.now().getTime(),
    });
    return { restoreId, outcome: 'failed' };
  };

  if (row.state === 'running') {
    const error = await interrupted(deps, actor, row, instance);
    await deps.audit.append({
      actor,
      action: audit.action,
      target: instance.id,
      result: 'failed',
      details: { slug: instance.slug, into: row.into_slug ?? instance.slug, error, ...audit.details },
    });
    deps.logger?.warn({ instance: instance.slug, restoreId, error, outcome: 'failed' }, 'restore ended');
    return finish(error, JSON.parse(row.steps) as RestoreStep[]);
  }

  await update({ state: 'running', started_at: deps.clock.now().getTime(), progress: 'started' });
  const into =
    row.into_slug === null
      ? undefined
      : {
          slug: row.into_slug,
          environment: row.into_environment ?? 'staging',
          runtime: row.into_runtime ?? instance.runtime,
        };
  let steps: readonly RestoreStep[] = [];
  let began = false;
  let progress: Promise<unknown> = Promise.resolve();
  let report: RestoreReport;
  try {
    // What may have changed since the restore was queued: the instance went away, the backup was pruned.
    if (into === undefined && (instance.state === 'decommissioning' || instance.state === 'decommissioned'))
      throw new RoostError(
        'conflict',
        `instance ${instance.slug} is ${instance.state}; nothing was restored`,
      );
    const backup = await goodBackup(deps, instance, row.backup_id);
    report = await carryOutRestore(
      deps,
      actor,
      { source: instance, backup, into },
      {
        onProgress: (message, done) => {
          began = true;
          steps = done;
          const changes = { progress: message, steps: JSON.stringify(done) };
          progress = progress.then(() => update(changes)).catch(() => {});
        },
        audit,
      },
    );
  } catch (error) {
    await progress;
    const message = describeError(error);
    if (!began) {
      // Refused before the restore began: carryOutRestore audits and logs only what it ran.
      await deps.audit.append({
        actor,
        action: audit.action,
        target: instance.id,
        result: 'failed',
        details: { slug: instance.slug, into: into?.slug ?? instance.slug, error: message, ...audit.details },
      });
      deps.logger?.warn(
        { instance: instance.slug, restoreId, error: message, outcome: 'failed' },
        'restore ended',
      );
    }
    return finish(message, steps);
  }
  await progress;
  await update({
    state: 'succeeded',
    steps: JSON.stringify(report.steps),
    report: JSON.stringify(report),
    progress: `done: restored into ${report.restoredInto}, row counts match, /status OK`,
    error: null,
    finished_at: deps.clock.now().getTime(),
  });
  return { restoreId, outcome: 'succeeded' };
}

/** What an interrupted restore left, in words; a new instance it was making is decommissioned. */
async function interrupted(
  deps: BackupDeps,
  actor: Actor,
  row: Selectable<BackupRestoreTable>,
  instance: Selectable<InstanceTable>,
): Promise<string> {
  const stopped = 'the restore was interrupted (the process running it stopped)';
  const since = Number(row.started_at ?? row.created_at);
  const { db } = deps.store;
  if (row.into_slug !== null) {
    const made = await db
      .selectFrom('instances')
      .select(['state', 'created_at'])
      .where('slug', '=', row.into_slug)
      .executeTakeFirst();
    // Only an instance this restore made (after it started) is removed.
    if (!made || made.state === 'decommissioned' || Number(made.created_at) < since)
      return `${stopped}; ${instance.slug} was not touched`;
    return removeInstance(deps, actor, row.into_slug).then(
      () => `${stopped}; ${row.into_slug} was decommissioned and ${instance.slug} was not touched`,
      (error: unknown) =>
        `${stopped}; decommissioning ${row.into_slug} failed: ${describeError(error)}; ${instance.slug} was not touched`,
    );
  }
  const safety = await db
    .selectFrom('backups')
    .select('id')
    .where('instance_id', '=', instance.id)
    .where('trigger', '=', 'safety')
    .where('state', '=', 'succeeded')
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return safety
    ? `${stopped}; restore again to be sure of ${instance.slug}'s data (the safety backup ${safety.id} holds its data from before)`
    : `${stopped} before its safety backup was taken; the data of ${instance.slug} was not touched`;
}
