import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { describeError, RoostError } from '../core/errors.ts';
import { type Instance, toInstance, workUnderWay } from '../instances/index.ts';
import { endDeadWork, type JobRecord } from '../jobs/index.ts';
import type { BackupTable } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { postgresEngine } from './engines/postgres.ts';
import { requireInstanceKey } from './keys.ts';
import { backupFolder, mebibytes, writeBackup } from './pipeline.ts';
import { pruneBackups } from './prune.ts';
import { verifyBackupFiles } from './verify.ts';

const jobActor = { id: 'job:backup.run', label: 'backup.run job' };

/**
 * Runs one backup. Re-runnable: a retry (after a crash, SIGKILL or a failed upload) starts the folder
 * again from nothing, so no file of an earlier attempt is ever mixed in.
 */
export async function runBackupJob(deps: BackupDeps, job: JobRecord, signal?: AbortSignal): Promise<unknown> {
  const { backupId } = job.payload as { backupId: string };
  const { db } = deps.store;
  const row = await db.selectFrom('backups').selectAll().where('id', '=', backupId).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no backup ${backupId}`);
  if (row.state !== 'queued' && row.state !== 'running') return { skipped: row.state };
  const instanceRow = await db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', row.instance_id)
    .executeTakeFirstOrThrow();
  const instance = toInstance(instanceRow);
  const folder = backupFolder(instance.slug, backupId);
  const started = deps.clock.now().getTime();
  await update(deps, backupId, { state: 'running', started_at: started, progress: 'started', error: null });
  const log = deps.logger?.child({ instance: instance.slug, backupId });
  try {
    await deps.target.removeFolder(folder);
    const key = await requireInstanceKey(db, instance);
    let progress: Promise<unknown> = Promise.resolve();
    const manifest = await writeBackup({
      backupId,
      instance,
      key,
      instanceDocument: await instanceDocument(deps, instance),
      engine: postgresEngine(deps.runtime),
      target: deps.target,
      clock: deps.clock,
      signal,
      onProgress: (message) => {
        progress = progress.then(() => update(deps, backupId, { progress: message })).catch(() => {});
      },
    });
    await progress;
    await update(deps, backupId, { progress: 'verifying what was stored' });
    await verifyBackupFiles(deps.target, manifest);
    const bytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
    const text = JSON.stringify(manifest);
    await update(deps, backupId, {
      state: 'succeeded',
      bytes,
      sha256: createHash('sha256').update(text).digest('hex'),
      manifest: text,
      progress: `done: ${mebibytes(bytes)}, verified`,
      finished_at: deps.clock.now().getTime(),
    });
    await deps.audit.append({
      actor: jobActor,
      action: 'backup.succeeded',
      target: instance.id,
      result: 'ok',
      details: { slug: instance.slug, backupId, bytes, fingerprint: manifest.key.fingerprint },
    });
    await reportBackupCondition(deps, instance, null);
    // A safety backup is taken right before a restore of an older backup, which pruning could remove.
    const { pruned } =
      row.trigger === 'safety' ? { pruned: [] as string[] } : await pruneBackups(deps, instance);
    log?.info(
      {
        durationMs: deps.clock.now().getTime() - started,
        outcome: 'succeeded',
        bytes,
        pruned: pruned.length,
      },
      'backup ended',
    );
    return { backupId, bytes, pruned };
  } catch (error) {
    const message = describeError(error);
    if (signal?.aborted) {
      // Stopped (its lease went to another worker, or the worker is stopping): the job's next run starts
      // the folder again; this run leaves the record to it.
      log?.warn({ reason: describeError(signal.reason), attempt: job.attempts }, 'backup stopped');
      throw error;
    }
    const last = job.attempts >= job.maxAttempts;
    log?.warn({ error: message, attempt: job.attempts, last }, 'backup failed');
    if (last) await failBackup(deps, { ...row, started_at: started }, instance, message);
    else {
      await deps.target.removeFolder(folder).catch(() => {});
      await update(deps, backupId, {
        error: message,
        progress: `attempt ${job.attempts} of ${job.maxAttempts} failed; retrying`,
      });
    }
    throw error;
  }
}

/**
 * The dead-job handler of `backup.run`: the job used up its attempts with the backup still queued or
 * running (its worker died at every attempt, so none recorded the failure). It fails as a last failed
 * attempt fails it, and the instance is free for its next backup.
 */
export function endDeadBackup(deps: BackupDeps, job: JobRecord): Promise<void> {
  return endDeadWork(job, {
    name: 'backup',
    find: async () => {
      const { backupId } = job.payload as { backupId: string };
      const found = await workUnderWay(deps.store.db, 'backups', backupId);
      return found && { row: found.row, instance: toInstance(found.instance) };
    },
    end: ({ row, instance }, reason) => failBackup(deps, row, instance, reason),
  });
}

/**
 * A backup that is not tried again: its folder goes (with any `.partial` file a killed upload left), the
 * row says why, audited and alerted; nothing is pruned. Once: a backup that already ended stays as it is.
 */
async function failBackup(
  deps: BackupDeps,
  row: Selectable<BackupTable>,
  instance: Instance,
  message: string,
): Promise<void> {
  const log = deps.logger?.child({ instance: instance.slug, backupId: row.id });
  await deps.target
    .removeFolder(backupFolder(instance.slug, row.id))
    .catch((error: unknown) =>
      log?.warn({ error: describeError(error) }, 'removing the folder of a failed backup failed'),
    );
  const now = deps.clock.now().getTime();
  const ended = await deps.store.db
    .updateTable('backups')
    .set({ state: 'failed', error: message, progress: 'failed', finished_at: now })
    .where('id', '=', row.id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (ended.numUpdatedRows === 0n) return;
  await deps.audit.append({
    actor: jobActor,
    action: 'backup.failed',
    target: instance.id,
    result: 'failed',
    details: { slug: instance.slug, backupId: row.id, error: message },
  });
  await reportBackupCondition(deps, instance, message);
  log?.warn(
    { durationMs: now - Number(row.started_at ?? row.created_at), outcome: 'failed', error: message },
    'backup ended',
  );
}

/**
 * A backup that failed all its attempts alerts (source `backups`, one alert per instance); the next good
 * backup resolves it. Resolving when nothing is open is a no-op for alerting.
 */
async function reportBackupCondition(deps: BackupDeps, instance: Instance, error: string | null) {
  await deps.conditions?.report({
    source: 'backups',
    key: instance.id,
    instanceId: instance.id,
    severity: 'critical',
    summary:
      error === null
        ? `backups of ${instance.slug} succeed again`
        : `the backup of ${instance.slug} failed after every attempt: ${error}`,
    labels: { slug: instance.slug, environment: instance.environment },
    active: error !== null,
  });
}

/** The instance's configuration and secret values: with them, a restore elsewhere needs nothing else. */
async function instanceDocument(deps: BackupDeps, instance: Instance): Promise<unknown> {
  const secrets: Record<string, string> = {};
  for (const secret of await deps.vault.list(instance.id)) {
    secrets[secret.name] = await deps.vault.reveal(instance.id, secret.name);
  }
  return { format: 'roost-instance', version: 1, instance, secrets };
}

function update(deps: BackupDeps, id: string, changes: Partial<Omit<BackupTable, 'id' | 'instance_id'>>) {
  return deps.store.db.updateTable('backups').set(changes).where('id', '=', id).execute();
}
