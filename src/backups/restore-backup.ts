import type { Selectable } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { requireProductionAccess } from '../auth/production-access.ts';
import { describeError, RoostError } from '../core/errors.ts';
import { instanceSlugPattern } from '../instances/index.ts';
import { environments } from '../runtime/index.ts';
import type { InstanceTable } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { keyOwnerOf, privateKeyName } from './keys.ts';
import type { BackupManifest } from './manifest.ts';
import { type Backup, instanceBySlug, toBackup } from './records.ts';
import { type NewInstanceSpec, restoreIntoNewInstance } from './restore-into-instance.ts';
import { type RestoreStep, restoreIntoStack, stepRecorder } from './restore-into-stack.ts';
import { startBackup } from './start-backup.ts';
import { verifyBackupFiles } from './verify.ts';
import { waitForBackup } from './wait.ts';

export { streamRestore } from './stream-restore.ts';

const slugField = z.string().min(1).max(100);

export const restoreBackupInput = z.object({
  slug: slugField,
  /** Default: the newest good backup. */
  backupId: z.string().min(1).max(100).optional(),
  /** Into the same instance: restoring replaces its data, so the caller confirms with the slug. */
  confirm: z.string().optional(),
  /** A NEW instance to provision and restore into (same customer); the source is left untouched. */
  into: z
    .string()
    .regex(instanceSlugPattern, 'a DNS-safe slug: 3 to 32 characters, a-z, 0-9 and -, starting with a letter')
    .optional(),
  /** Of the new instance; default `staging`. */
  environment: z.enum(environments).optional(),
  /** Of the new instance; default the source's runtime. */
  runtime: z.enum(['local', 'swarm']).optional(),
});

export interface RestoreReport {
  slug: string;
  backupId: string;
  durationMs: number;
  steps: RestoreStep[];
  rowCounts: { expected: Record<string, number>; actual: Record<string, number>; match: boolean };
  /** The instance the data went into: `slug` itself, or the new instance of `--into`. */
  restoredInto?: string;
  /** The backup of the current data taken before an in-place restore. */
  safetyBackupId?: string;
  /** The app's `/status` after the restore. */
  status?: { url: string; ok: boolean; detail: string };
}

/** What a restore does, decided and authorized before anything is touched. */
export interface RestorePlan {
  /** The instance whose backup is restored. */
  source: Selectable<InstanceTable>;
  backup: Backup;
  /** The new instance the data goes into; absent: in place (the source's data is replaced). */
  into?: NewInstanceSpec | undefined;
}

/**
 * Restores a backup (`backups:write`) into its own instance, after a safety backup of the current data, or
 * into a new instance (`into`, also `instances:write`). Restoring into a `production` instance needs
 * `keys:export`, i.e. an admin with a fresh second factor. Checksums are verified before anything is
 * decrypted, created or touched; after the restore, row counts and the app's `/status` are checked.
 * Runs here and now; `startRestore` queues the same restore for the `backup.restore` job.
 */
export async function restoreBackup(
  deps: BackupDeps,
  actor: Actor,
  input: z.input<typeof restoreBackupInput>,
  onProgress?: (message: string) => void,
): Promise<RestoreReport> {
  const plan = await planRestore(deps, actor, input);
  return carryOutRestore(deps, actor, plan, { onProgress, audit: { action: 'backup.restore' } });
}

/**
 * Validates and authorizes a restore, and picks its backup: the decision `restoreBackup` and `startRestore`
 * share. Refusals (production without an admin's fresh second factor, an in-place restore without the
 * slug repeated, a taken `into` slug) come here, before anything is queued or touched.
 */
export async function planRestore(
  deps: BackupDeps,
  actor: Actor,
  input: z.input<typeof restoreBackupInput>,
): Promise<RestorePlan> {
  authorize(actor, 'backups:write');
  const parsed = parseInput(restoreBackupInput, input);
  const { slug, backupId, confirm, into } = parsed;
  if (into !== undefined) authorize(actor, 'instances:write');
  const { db } = deps.store;
  const instance = await instanceBySlug(db, slug);
  const destination = into ?? slug;
  const environment = into === undefined ? instance.environment : (parsed.environment ?? 'staging');
  if (environment === 'production')
    await requireProductionAccess(deps, actor, {
      action: 'backup.restore',
      target: instance.id,
      details: { slug, into: destination },
    });
  if (into === undefined && confirm !== slug)
    throw new RoostError(
      'invalid_input',
      `restoring replaces the data of ${slug}: confirm with the instance's slug (or restore --into a new instance)`,
      { field: 'confirm' },
    );
  for (const field of ['environment', 'runtime'] as const)
    if (into === undefined && parsed[field] !== undefined)
      throw new RoostError('invalid_input', `${field}: only for a restore into a new instance (into)`, {
        field,
      });
  if (into !== undefined && into === slug)
    throw new RoostError('invalid_input', 'into: name a new instance, not the source', { field: 'into' });
  if (into === undefined && (instance.state === 'decommissioned' || instance.state === 'decommissioning'))
    throw new RoostError('conflict', `instance ${slug} is ${instance.state}`);
  if (into !== undefined) {
    const taken = await db.selectFrom('instances').select('id').where('slug', '=', into).executeTakeFirst();
    if (taken)
      throw new RoostError('conflict', `an instance named ${into} already exists`, { field: 'into' });
  }
  const backup = await goodBackup(deps, instance, backupId);
  return {
    source: instance,
    backup,
    into:
      into === undefined
        ? undefined
        : { slug: into, environment, runtime: parsed.runtime ?? instance.runtime },
  };
}

/**
 * Carries out a planned restore as `actor` (who may create and decommission the new instance): checksums,
 * the safety backup or the new instance, the restore and its verification. Audits the outcome under
 * `audit.action` and logs one line when it ends.
 */
export async function carryOutRestore(
  deps: BackupDeps,
  actor: Actor,
  plan: RestorePlan,
  options: {
    onProgress?: ((message: string, done: readonly RestoreStep[]) => void) | undefined;
    audit: { action: string; details?: Record<string, unknown> };
    /**
     * The job's: when it aborts (its lease went to another worker, or the worker is stopping) no further
     * step starts, the restore's processes are killed, and nothing is audited: the job's next run ends it.
     */
    signal?: AbortSignal | undefined;
  },
): Promise<RestoreReport> {
  const { source: instance, backup, into } = plan;
  const { slug } = instance;
  const destination = into?.slug ?? slug;
  const manifest = backup.manifest as BackupManifest;
  const { signal } = options;
  const { steps, step } = stepRecorder(options.onProgress, signal);
  const started = deps.clock.now().getTime();
  const extra = options.audit.details ?? {};
  let safetyBackupId: string | undefined;
  try {
    await step('verifying checksums', () => verifyBackupFiles(deps.target, manifest));
    // The key of the instance that MADE the backup, wherever the data goes.
    const privateKey = await deps.vault.reveal(keyOwnerOf(instance.id), privateKeyName);
    let verification: Awaited<ReturnType<typeof restoreIntoStack>>;
    if (into === undefined) {
      safetyBackupId = await step('backing up the current data (safety backup)', () =>
        takeSafetyBackup(deps, actor, instance),
      );
      verification = await restoreIntoStack(deps, { manifest, privateKey, slug, step, signal });
    } else {
      verification = await restoreIntoNewInstance(deps, actor, {
        source: instance,
        manifest,
        privateKey,
        into,
        step,
        signal,
      });
    }
    const report: RestoreReport = {
      slug,
      backupId: backup.id,
      durationMs: deps.clock.now().getTime() - started,
      steps,
      restoredInto: destination,
      ...verification,
      ...(safetyBackupId ? { safetyBackupId } : {}),
    };
    await deps.audit.append({
      actor,
      action: options.audit.action,
      target: instance.id,
      result: 'ok',
      details: {
        slug,
        into: destination,
        backupId: backup.id,
        safetyBackupId,
        rowCountsMatch: true,
        ...extra,
      },
    });
    deps.logger?.info(
      {
        instance: slug,
        into: destination,
        backupId: backup.id,
        durationMs: report.durationMs,
        outcome: 'ok',
        ...extra,
      },
      'restore ended',
    );
    return report;
  } catch (error) {
    if (signal?.aborted) {
      deps.logger?.warn(
        { instance: slug, into: destination, backupId: backup.id, reason: describeError(signal.reason) },
        'restore stopped; its job ends it',
      );
      throw error;
    }
    await deps.audit.append({
      actor,
      action: options.audit.action,
      target: instance.id,
      result: 'failed',
      details: {
        slug,
        into: destination,
        backupId: backup.id,
        safetyBackupId,
        error: describeError(error),
        ...extra,
      },
    });
    deps.logger?.warn(
      {
        instance: slug,
        into: destination,
        backupId: backup.id,
        durationMs: deps.clock.now().getTime() - started,
        error: describeError(error),
        outcome: 'failed',
        ...extra,
      },
      'restore ended',
    );
    throw error;
  }
}

/** The newest good backup of the instance, or the one named. */
export async function goodBackup(
  deps: Pick<BackupDeps, 'store'>,
  instance: Selectable<InstanceTable>,
  backupId?: string,
): Promise<Backup> {
  let query = deps.store.db
    .selectFrom('backups')
    .selectAll()
    .where('instance_id', '=', instance.id)
    .where('state', '=', 'succeeded');
  if (backupId) query = query.where('id', '=', backupId);
  const row = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
  if (!row)
    throw new RoostError(
      'not_found',
      backupId ? `no good backup ${backupId} of ${instance.slug}` : `${instance.slug} has no good backup`,
      { slug: instance.slug },
    );
  const backup = toBackup(row);
  if (!backup.manifest) throw new RoostError('conflict', `backup ${backup.id} has no manifest`);
  return backup;
}

/**
 * A normal backup (trigger `safety`) of the data a restore is about to replace, run by the backup job and
 * waited for: if it fails, the restore does not start.
 */
async function takeSafetyBackup(
  deps: BackupDeps,
  actor: Actor,
  instance: Selectable<InstanceTable>,
): Promise<string> {
  const backup = await deps.store.db
    .transaction()
    .execute((trx) => startBackup(deps, trx, instance, 'safety', actor));
  try {
    await waitForBackup(deps.store, backup.id);
  } catch (error) {
    throw new RoostError(
      'unavailable',
      `the safety backup ${backup.id} of ${instance.slug} failed, so nothing was restored: ${describeError(error)}`,
      { backupId: backup.id },
      { cause: error },
    );
  }
  return backup.id;
}
