import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { describeError, RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { workUnderWay } from '../instances/index.ts';
import { endDeadWork, type JobRecord } from '../jobs/index.ts';
import type { InstanceTable, RestoreDrillTable } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { keyOwnerOf, privateKeyName } from './keys.ts';
import type { BackupManifest } from './manifest.ts';
import { drillQueue, instanceBySlug } from './records.ts';
import { goodBackup } from './restore-backup.ts';
import { removeInstance, restoreIntoNewInstance } from './restore-into-instance.ts';
import { type RestoreStep, stepRecorder } from './restore-into-stack.ts';
import { verifyBackupFiles } from './verify.ts';

/** A restore drill: an instance's latest good backup restored into a throw-away instance and verified. */
export interface RestoreDrill {
  id: string;
  instanceId: string;
  slug: string;
  backupId: string | null;
  scratchSlug: string;
  trigger: RestoreDrillTable['trigger'];
  state: RestoreDrillTable['state'];
  progress: string | null;
  steps: RestoreStep[];
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const drillActor = (deps: BackupDeps): Actor => ({
  kind: 'local',
  id: 'job:backup.drill',
  label: 'restore drill',
  role: 'admin',
  permissions: new Set(['backups:write', 'instances:write']),
  secondFactorAt: deps.clock.now().getTime(),
  ip: null,
});

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

function toDrill(row: Selectable<RestoreDrillTable> & { slug: string }): RestoreDrill {
  return {
    id: row.id,
    instanceId: row.instance_id,
    slug: row.slug,
    backupId: row.backup_id,
    scratchSlug: row.scratch_slug,
    trigger: row.trigger,
    state: row.state,
    progress: row.progress,
    steps: JSON.parse(row.steps) as RestoreStep[],
    error: row.error,
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

/** `drill-` and 10 random characters: a valid slug, recorded before the instance exists. */
const scratchSlugOf = (): string =>
  `drill-${Array.from(randomBytes(10), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('')}`;

async function recordDrill(
  deps: BackupDeps,
  instance: Selectable<InstanceTable>,
  trigger: RestoreDrillTable['trigger'],
  jobId: string | null,
): Promise<string> {
  const now = deps.clock.now();
  const id = newId('drl', now);
  await deps.store.db
    .insertInto('restore_drills')
    .values({
      id,
      instance_id: instance.id,
      backup_id: null,
      scratch_slug: scratchSlugOf(),
      trigger,
      state: 'queued',
      job_id: jobId,
      progress: 'queued',
      steps: '[]',
      error: null,
      created_at: now.getTime(),
      started_at: null,
      finished_at: null,
    })
    .execute();
  return id;
}

const startDrillInput = z.object({ slug: z.string().min(1).max(100) });

/** Queues a restore drill of one instance now (`backups:write`); the `backup.drill` job runs it. */
export async function startDrill(
  deps: BackupDeps,
  actor: Actor,
  input: z.input<typeof startDrillInput>,
): Promise<RestoreDrill> {
  authorize(actor, 'backups:write');
  const { slug } = parseInput(startDrillInput, input);
  const instance = await instanceBySlug(deps.store.db, slug);
  if (instance.state === 'decommissioned' || instance.state === 'decommissioning')
    throw new RoostError('conflict', `instance ${slug} is ${instance.state}`);
  const id = await recordDrill(deps, instance, 'manual', null);
  const job = await deps.jobs.enqueue({
    queue: drillQueue,
    key: `drill:${id}`,
    payload: { drillId: id },
    maxAttempts: 2,
  });
  await deps.store.db.updateTable('restore_drills').set({ job_id: job.id }).where('id', '=', id).execute();
  await deps.audit.append({
    actor,
    action: 'backup.drill',
    target: instance.id,
    result: 'ok',
    details: { slug, drillId: id },
  });
  return getDrill(deps, actor, id);
}

export async function getDrill(
  deps: Pick<BackupDeps, 'store'>,
  actor: Actor,
  id: string,
): Promise<RestoreDrill> {
  authorize(actor, 'backups:read');
  const row = await drillRows(deps).where('restore_drills.id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no restore drill ${id}`, { id });
  return toDrill(row);
}

const listDrillsInput = z.object({
  slug: z.string().min(1).max(100).optional(),
  limit: z.int().min(1).max(500).default(50),
});

/** Restore drills, newest first, of one instance or of all (`backups:read`). */
export async function listDrills(
  deps: Pick<BackupDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof listDrillsInput> = {},
): Promise<RestoreDrill[]> {
  authorize(actor, 'backups:read');
  const { slug, limit } = parseInput(listDrillsInput, input);
  let query = drillRows(deps);
  if (slug)
    query = query.where('restore_drills.instance_id', '=', (await instanceBySlug(deps.store.db, slug)).id);
  const rows = await query
    .orderBy('restore_drills.created_at', 'desc')
    .orderBy('restore_drills.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toDrill);
}

function drillRows(deps: Pick<BackupDeps, 'store'>) {
  return deps.store.db
    .selectFrom('restore_drills')
    .innerJoin('instances', 'instances.id', 'restore_drills.instance_id')
    .selectAll('restore_drills')
    .select('instances.slug as slug');
}

/**
 * The `backup.drill` job: a scheduled run (payload `instanceId`) records its drill first (a later attempt
 * goes on with the drill its first one recorded); a queued one (payload `drillId`) runs it. A drill found
 * `running` was interrupted (crash): its throw-away instance is removed and it is recorded as failed. The
 * job never throws for a failed drill: the outcome is the record. A run whose `signal` aborts (its lease
 * went to another worker, or the worker is stopping) starts no further step and leaves the drill running,
 * so the job's next run ends it as interrupted.
 */
export async function runDrillJob(deps: BackupDeps, job: JobRecord, signal?: AbortSignal): Promise<unknown> {
  const payload = job.payload as { drillId?: string; instanceId?: string };
  let drillId = payload.drillId ?? (await drillOfJob(deps, job))?.id;
  if (!drillId) {
    const instance = await deps.store.db
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', payload.instanceId ?? '')
      .executeTakeFirst();
    if (!instance || (instance.state !== 'running' && instance.state !== 'degraded'))
      return { skipped: instance?.state ?? 'gone' };
    drillId = await recordDrill(deps, instance, 'schedule', job.id);
  }
  return runDrill(deps, drillId, signal);
}

/** The drill a `backup.drill` job carries out: named by its payload, or recorded by its scheduled run. */
async function drillOfJob(
  deps: BackupDeps,
  job: JobRecord,
): Promise<Selectable<RestoreDrillTable> | undefined> {
  const { drillId } = job.payload as { drillId?: string };
  return deps.store.db
    .selectFrom('restore_drills')
    .selectAll()
    .$if(drillId !== undefined, (query) => query.where('id', '=', drillId ?? ''))
    .$if(drillId === undefined, (query) => query.where('job_id', '=', job.id))
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/**
 * The dead-job handler of `backup.drill`: the job used up its attempts with the drill still queued or
 * running (no attempt was left to find it interrupted). It ends as a failed drill ends: its throw-away
 * instance removed, recorded as failed, audited and alerted.
 */
export function endDeadDrill(deps: BackupDeps, job: JobRecord): Promise<void> {
  return endDeadWork(job, {
    name: 'restore drill',
    find: async () => {
      const drill = await drillOfJob(deps, job);
      return drill && workUnderWay(deps.store.db, 'restore_drills', drill.id);
    },
    end: async ({ row, instance }, reason) => {
      await endDrill(deps, row, instance, reason, drillRecorder(deps, row.id));
    },
  });
}

/** Writes a drill's progress as its steps go, in order; `settled` waits for the last write. */
function drillRecorder(deps: BackupDeps, drillId: string, signal?: AbortSignal) {
  let progress: Promise<unknown> = Promise.resolve();
  const recorder = stepRecorder((message) => {
    progress = progress.then(() => updateDrill(deps, drillId, { progress: message })).catch(() => {});
  }, signal);
  return { ...recorder, settled: () => progress };
}

function updateDrill(
  deps: BackupDeps,
  drillId: string,
  changes: Partial<Omit<RestoreDrillTable, 'id' | 'instance_id'>>,
) {
  return deps.store.db.updateTable('restore_drills').set(changes).where('id', '=', drillId).execute();
}

export async function runDrill(deps: BackupDeps, drillId: string, signal?: AbortSignal): Promise<unknown> {
  const { db } = deps.store;
  const drill = await db
    .selectFrom('restore_drills')
    .selectAll()
    .where('id', '=', drillId)
    .executeTakeFirst();
  if (!drill) throw new RoostError('not_found', `no restore drill ${drillId}`);
  if (drill.state === 'succeeded' || drill.state === 'failed') return { skipped: drill.state };
  const instance = await db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', drill.instance_id)
    .executeTakeFirstOrThrow();
  const recorder = drillRecorder(deps, drillId, signal);
  const { step } = recorder;
  const update = (changes: Parameters<typeof updateDrill>[2]) => updateDrill(deps, drillId, changes);
  let error: string | null = null;
  let current = drill;
  if (drill.state === 'running') {
    error = 'the drill was interrupted (the process running it stopped)';
  } else {
    const started = deps.clock.now().getTime();
    current = { ...drill, state: 'running', started_at: started };
    await update({ state: 'running', started_at: started, progress: 'started' });
    try {
      const backup = await goodBackup(deps, instance);
      await update({ backup_id: backup.id });
      const manifest = backup.manifest as BackupManifest;
      await step('verifying checksums', () => verifyBackupFiles(deps.target, manifest));
      const privateKey = await deps.vault.reveal(keyOwnerOf(instance.id), privateKeyName);
      await restoreIntoNewInstance(deps, drillActor(deps), {
        source: instance,
        manifest,
        privateKey,
        into: { slug: drill.scratch_slug, environment: 'staging', runtime: instance.runtime },
        step,
        signal,
      });
    } catch (failure) {
      // Stopped: the drill stays running, and the job's next run ends it as interrupted.
      if (signal?.aborted) {
        await recorder.settled();
        throw failure;
      }
      error = describeError(failure);
    }
  }
  return endDrill(deps, current, instance, error, recorder);
}

/**
 * Ends a drill, whatever happened: the throw-away instance goes (restoreIntoNewInstance already removed it
 * on failure), then the outcome is recorded, audited and reported to alerting (a failure alerts until the
 * next good drill), once: a drill that already ended stays as it is.
 */
async function endDrill(
  deps: BackupDeps,
  drill: Selectable<RestoreDrillTable>,
  instance: Selectable<InstanceTable>,
  failed: string | null,
  recorder: ReturnType<typeof drillRecorder>,
): Promise<unknown> {
  const { db } = deps.store;
  const { steps, step } = recorder;
  const drillId = drill.id;
  const actor = drillActor(deps);
  let error = failed;
  const scratch = await db
    .selectFrom('instances')
    .select('state')
    .where('slug', '=', drill.scratch_slug)
    .executeTakeFirst();
  if (scratch && scratch.state !== 'decommissioned') {
    await step(`decommissioning ${drill.scratch_slug}`, () =>
      removeInstance(deps, actor, drill.scratch_slug),
    ).catch((failure: unknown) => {
      error = `${error ? `${error}; ` : ''}the throw-away instance ${drill.scratch_slug} could not be removed: ${describeError(failure)}`;
    });
  }
  await recorder.settled();
  const finished = deps.clock.now().getTime();
  const ended = await db
    .updateTable('restore_drills')
    .set({
      state: error === null ? 'succeeded' : 'failed',
      steps: JSON.stringify(steps),
      error,
      progress: error === null ? 'done: restored, verified and removed' : 'failed',
      finished_at: finished,
    })
    .where('id', '=', drillId)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (ended.numUpdatedRows === 0n) return { drillId, skipped: 'ended' };
  await deps.audit.append({
    actor,
    action: 'backup.drill.finished',
    target: instance.id,
    result: error === null ? 'ok' : 'failed',
    details: { slug: instance.slug, drillId, scratch: drill.scratch_slug, ...(error ? { error } : {}) },
  });
  await deps.conditions?.report({
    source: 'drills',
    key: instance.id,
    instanceId: instance.id,
    severity: 'critical',
    summary:
      error === null
        ? `the restore drill of ${instance.slug} succeeded`
        : `the restore drill of ${instance.slug} failed: ${error}`,
    labels: { slug: instance.slug, environment: instance.environment },
    active: error !== null,
  });
  deps.logger?.info(
    {
      instance: instance.slug,
      drillId,
      durationMs: finished - Number(drill.started_at ?? drill.created_at),
      outcome: error === null ? 'succeeded' : 'failed',
      error,
    },
    'restore drill ended',
  );
  return { drillId, outcome: error === null ? 'succeeded' : 'failed' };
}
