import type { Selectable } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import { describeError, RoostError } from '../core/errors.ts';
import { workUnderWay } from '../instances/index.ts';
import { endDeadWork, type JobRecord } from '../jobs/index.ts';
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
export async function runRestoreJob(
  deps: BackupDeps,
  job: JobRecord,
  signal?: AbortSignal,
): Promise<unknown> {
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
  const { actor, audit } = restoreContext(row);
  const update = (changes: Changes) =>
    db.updateTable('backup_restores').set(changes).where('id', '=', restoreId).execute();
  const finish = async (error: string, steps: readonly RestoreStep[]) => {
    await recordFailure(deps, restoreId, error, steps);
    return { restoreId, outcome: 'failed' };
  };

  if (row.state === 'running') {
    await endInterrupted(deps, row, instance, 'the restore was interrupted (the process running it stopped)');
    return { restoreId, outcome: 'failed' };
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
        signal,
      },
    );
  } catch (error) {
    await progress;
    // Stopped: the record stays `running`, and the job's next run ends it as interrupted.
    if (signal?.aborted) throw error;
    const message = describeError(error);
    // Refused before the restore began: carryOutRestore audits and logs only what it ran.
    if (!began) await reportFailure(deps, row, instance, message);
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

/**
 * The dead-job handler of `backup.restore`: the job used up its attempts with the restore still queued or
 * running (the attempt that would have found it interrupted died too). It ends as an interrupted restore
 * ends: a half-made new instance decommissioned, recorded as failed, audited.
 */
export function endDeadRestore(deps: BackupDeps, job: JobRecord): Promise<void> {
  return endDeadWork(job, {
    name: 'restore',
    find: () =>
      workUnderWay(deps.store.db, 'backup_restores', (job.payload as { restoreId: string }).restoreId),
    end: ({ row, instance }, reason) => endInterrupted(deps, row, instance, reason),
  });
}

/** Who carries the restore out, and what its audit event says. */
function restoreContext(row: Selectable<BackupRestoreTable>) {
  const requestedBy = JSON.parse(row.requested_by) as { id: string; label: string };
  return {
    actor: restoreJobActor(requestedBy),
    audit: {
      action: 'backup.restore.finished',
      details: { restoreId: row.id, requestedBy: requestedBy.label },
    },
  };
}

/** Records the restore failed with `error`, once; false when it had already ended. */
async function recordFailure(
  deps: BackupDeps,
  restoreId: string,
  error: string,
  steps: readonly RestoreStep[],
): Promise<boolean> {
  const ended = await deps.store.db
    .updateTable('backup_restores')
    .set({
      state: 'failed',
      steps: JSON.stringify(steps),
      error,
      progress: 'failed',
      finished_at: deps.clock.now().getTime(),
    })
    .where('id', '=', restoreId)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return ended.numUpdatedRows > 0n;
}

/**
 * Ends a restore no attempt will carry on (`stopped` says why): what it left is said in words, a new instance
 * it was making is decommissioned, and it is recorded as failed and audited, once.
 */
async function endInterrupted(
  deps: BackupDeps,
  row: Selectable<BackupRestoreTable>,
  instance: Selectable<InstanceTable>,
  stopped: string,
): Promise<void> {
  const error = await interrupted(deps, restoreContext(row).actor, row, instance, stopped);
  if (await recordFailure(deps, row.id, error, JSON.parse(row.steps) as RestoreStep[]))
    await reportFailure(deps, row, instance, error);
}

/** The audit event and the log line of a restore that failed outside what carryOutRestore ran. */
async function reportFailure(
  deps: BackupDeps,
  row: Selectable<BackupRestoreTable>,
  instance: Selectable<InstanceTable>,
  error: string,
): Promise<void> {
  const { actor, audit } = restoreContext(row);
  await deps.audit.append({
    actor,
    action: audit.action,
    target: instance.id,
    result: 'failed',
    details: { slug: instance.slug, into: row.into_slug ?? instance.slug, error, ...audit.details },
  });
  deps.logger?.warn(
    {
      instance: instance.slug,
      restoreId: row.id,
      error,
      durationMs: deps.clock.now().getTime() - Number(row.started_at ?? row.created_at),
      outcome: 'failed',
    },
    'restore ended',
  );
}

/** What an interrupted restore left, in words; a new instance it was making is decommissioned. */
async function interrupted(
  deps: BackupDeps,
  actor: Actor,
  row: Selectable<BackupRestoreTable>,
  instance: Selectable<InstanceTable>,
  stopped: string,
): Promise<string> {
  if (row.state === 'queued') return `${stopped}; nothing was restored`;
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
