import type { Selectable } from 'kysely';
import {
  backupFolder,
  checkAppStatus,
  postgresEngine,
  rowCountsMatch,
  streamRestore,
  verifyBackupFiles,
} from '../backups/index.ts';
import { keyOwnerOf, privateKeyName } from '../backups/keys.ts';
import { type BackupManifest, manifestSchema } from '../backups/manifest.ts';
import { startBackup } from '../backups/start-backup.ts';
import { describeError, isRoostError, RoostError } from '../core/errors.ts';
import { type RuntimeKind, stackSpecOf, toInstance, workUnderWay } from '../instances/index.ts';
import { defaultRelease, type Release, swarmImages } from '../instances/records.ts';
import { vaultSecretSource } from '../instances/stack-spec.ts';
import { endDeadWork, type JobRecord } from '../jobs/index.ts';
import type { InstanceMigrationTable, InstanceTable } from '../store/index.ts';
import type { MigrationDeps } from './deps.ts';
import { placementOf, switchName } from './dns.ts';
import {
  type MigrationStep,
  migrationQueue,
  pastPointOfNoReturn,
  type StepTime,
  stepsAfter,
} from './records.ts';
import { refuseBusy } from './start-migration.ts';

const jobActor = { id: 'job:instance.migrate', label: 'instance.migrate job' };
/** A fresh backup, and the new stack's /status, may take this long. */
const backupDeadlineMs = 3_600_000;
const statusDeadlineMs = 120_000;

export function registerMigrationJobs(deps: MigrationDeps): void {
  deps.jobs.work(migrationQueue, (job, { signal }) => runMigration(deps, job, signal), {
    onDead: (job) => endDeadMigration(deps, job),
  });
}

type Row = Selectable<InstanceMigrationTable>;

/**
 * Runs one migration from the step after the last one done: a retry after a crash resumes (every step is
 * idempotent), except on the last attempt before the name switch, which rolls back instead. A failure
 * before the switch removes the target stack and leaves the source and the instance row as they were; from
 * the switch on the move only goes forward (retried, then reported failed with what is left to do); such a
 * failed migration resumes with the steps left when its job is retried (`roost jobs retry`). A rolled-back
 * one stays as it is. When `signal` aborts (the job's lease went to another worker, or the worker is
 * stopping), the run stops before its next step and leaves the migration as it is, neither rolled back nor
 * failed: the job's next run resumes it.
 */
export async function runMigration(
  deps: MigrationDeps,
  job: JobRecord,
  signal?: AbortSignal,
): Promise<unknown> {
  const { migrationId } = job.payload as { migrationId: string };
  const { db } = deps.store;
  let row = await db
    .selectFrom('instance_migrations')
    .selectAll()
    .where('id', '=', migrationId)
    .executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no migration ${migrationId}`);
  const resumable = row.state === 'failed' && pastPointOfNoReturn(row.step);
  if (row.state !== 'queued' && row.state !== 'running' && !resumable) return { skipped: row.state };
  const instance = await instanceOf(deps, row);
  if (resumable) row = await resume(deps, row, instance);
  const log = deps.logger?.child({ instance: instance.slug, migrationId, from: row.source, to: row.target });
  const startedAt = row.started_at === null ? deps.clock.now().getTime() : Number(row.started_at);
  await update(deps, row, { state: 'running', started_at: startedAt }, 'started');
  const work = new MigrationRun(deps, row, instance, signal);
  try {
    if (job.attempts >= job.maxAttempts && job.attempts > 1 && !pastPointOfNoReturn(row.step))
      throw new RoostError('internal', 'the migration was interrupted too often; rolling back');
    for (const step of stepsAfter(row.step)) {
      signal?.throwIfAborted();
      row = await work.run(step);
    }
    await work.succeed();
    log?.info(
      { durationMs: deps.clock.now().getTime() - startedAt, outcome: 'succeeded' },
      'instance migration ended',
    );
    return { migrationId, steps: work.steps() };
  } catch (error) {
    const message = describeError(error);
    if (signal?.aborted) {
      // Not this run's to end: the job runs again (here or on the worker that has its lease) and resumes.
      log?.warn(
        { reason: describeError(signal.reason), step: work.current().step, attempt: job.attempts },
        'instance migration stopped; its job resumes it',
      );
      throw error;
    }
    log?.warn(
      { error: message, step: work.current().step, attempt: job.attempts },
      'instance migration failed',
    );
    if (!pastPointOfNoReturn(work.current().step)) {
      await work.rollBack(message);
      return { migrationId, rolledBack: true, error: message };
    }
    if (job.attempts < job.maxAttempts) {
      await update(deps, work.current(), { error: message }, `attempt ${job.attempts} failed; retrying`);
      throw error;
    }
    await work.fail(message, job.id);
    throw error;
  }
}

/**
 * The dead-job handler of `instance.migrate`: the job used up its attempts without the migration ending (its
 * worker stopped at every attempt, so no attempt rolled back or reported). It ends as a failed attempt would
 * have ended it: before the name switch rolled back (the target stack removed, the source and the instance
 * row untouched), from the switch on failed with the steps left; audited and reported alike. A migration
 * that already ended is left as it is.
 */
export function endDeadMigration(deps: MigrationDeps, job: JobRecord): Promise<void> {
  const { db } = deps.store;
  return endDeadWork(job, {
    name: 'migration',
    find: () =>
      workUnderWay(
        deps.store.db,
        'instance_migrations',
        (job.payload as { migrationId: string }).migrationId,
      ),
    end: async ({ row, instance }, reason) => {
      const work = new MigrationRun(deps, row, instance);
      if (pastPointOfNoReturn(row.step)) await work.fail(reason, job.id);
      else await work.rollBack(reason);
      const ended = await db
        .selectFrom('instance_migrations')
        .select('state')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      deps.logger?.warn(
        {
          instance: instance.slug,
          migrationId: row.id,
          from: row.source,
          to: row.target,
          jobId: job.id,
          error: reason,
          durationMs: deps.clock.now().getTime() - Number(row.started_at ?? row.created_at),
          outcome: ended.state,
        },
        'instance migration ended',
      );
    },
  });
}

function instanceOf(deps: MigrationDeps, row: Row): Promise<Selectable<InstanceTable>> {
  return deps.store.db
    .selectFrom('instances')
    .selectAll()
    .where('id', '=', row.instance_id)
    .executeTakeFirstOrThrow();
}

/**
 * `roost jobs retry` of a migration that failed after the name switch: it goes on with the steps left (the
 * name already points at the target, so forward is the only way). Refused while another operation of the
 * instance is under way, or once a later migration of it was started (its steps would undo that one's).
 */
async function resume(deps: MigrationDeps, row: Row, instance: Selectable<InstanceTable>): Promise<Row> {
  const resumed = await deps.store.db.transaction().execute(async (trx) => {
    const later = await trx
      .selectFrom('instance_migrations')
      .select('id')
      .where('instance_id', '=', row.instance_id)
      .where('id', '!=', row.id)
      .where('created_at', '>=', row.created_at)
      .executeTakeFirst();
    if (later)
      throw new RoostError(
        'conflict',
        `migration ${row.id} of ${instance.slug} is not resumed: a later migration (${later.id}) was started since`,
        { migrationId: row.id, laterMigrationId: later.id },
      );
    const current = await trx
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', instance.id)
      .executeTakeFirstOrThrow();
    if (current.state === 'decommissioning' || current.state === 'decommissioned')
      throw new RoostError(
        'conflict',
        `migration ${row.id} of ${instance.slug} is not resumed: the instance is ${current.state}`,
        { migrationId: row.id, state: current.state },
      );
    await refuseBusy(trx, current);
    const running = await trx
      .updateTable('instance_migrations')
      .set({ state: 'running', error: null, finished_at: null })
      .where('id', '=', row.id)
      .where('state', '=', 'failed')
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('instance_operations')
      .set({ state: 'running', error: null, progress: `resuming after ${row.step}`, finished_at: null })
      .where('id', '=', row.operation_id)
      .execute();
    return running;
  });
  await deps.audit.append({
    actor: jobActor,
    action: 'instance.migrate.resumed',
    target: instance.id,
    result: 'ok',
    details: {
      slug: instance.slug,
      migrationId: row.id,
      step: row.step,
      stepsLeft: stepsAfter(row.step),
      previousError: row.error,
    },
  });
  return resumed;
}

class MigrationRun {
  private row: Row;
  private readonly deps: MigrationDeps;
  private readonly instance: Selectable<InstanceTable>;
  /** The job's: waits (for the backup) end when it aborts. */
  private readonly signal: AbortSignal | undefined;

  constructor(deps: MigrationDeps, row: Row, instance: Selectable<InstanceTable>, signal?: AbortSignal) {
    this.deps = deps;
    this.row = row;
    this.instance = instance;
    this.signal = signal;
  }

  current(): Row {
    return this.row;
  }

  steps(): StepTime[] {
    return JSON.parse(this.row.report) as StepTime[];
  }

  private get slug(): string {
    return this.instance.slug;
  }

  private driver(kind: RuntimeKind) {
    return this.deps.drivers[kind];
  }

  /** The instance as the target runs it: the target's release, and a fresh database's owner as login. */
  private targetRow(): Selectable<InstanceTable> {
    const release: Release =
      this.row.target === 'swarm' ? (this.deps.config.runtime.images ?? swarmImages) : defaultRelease;
    return { ...this.instance, release: JSON.stringify(release), db_rotations: 0 };
  }

  async run(step: MigrationStep): Promise<Row> {
    await this.progress(stepLabels[step]);
    const started = Date.now();
    const note = await this[step]();
    const entry: StepTime = {
      step,
      ms: Date.now() - started,
      at: this.deps.clock.now().toISOString(),
      ...(note ? { note } : {}),
    };
    this.row = await update(
      this.deps,
      this.row,
      { step, report: JSON.stringify([...this.steps(), entry]) },
      `${step}: done${note ? ` (${note})` : ''}`,
    );
    return this.row;
  }

  /** Only the operation's progress line: never the row, so a late callback cannot bring back an old copy. */
  private async progress(message: string): Promise<void> {
    await update(this.deps, this.row, {}, message);
  }

  /** a) a fresh backup through the backup job (or the chosen one), waited for. */
  private async backup(): Promise<string> {
    const { db } = this.deps.store;
    if (this.row.backup_choice === 'latest' && !this.row.backup_id) {
      const latest = await db
        .selectFrom('backups')
        .select('id')
        .where('instance_id', '=', this.instance.id)
        .where('state', '=', 'succeeded')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      if (!latest) throw new RoostError('not_found', `${this.slug} has no good backup (backup: latest)`);
      this.row = await update(this.deps, this.row, { backup_id: latest.id });
    }
    if (!this.row.backup_id) {
      const backupId = await db.transaction().execute(async (trx) => {
        try {
          return (await startBackup(this.deps.backups, trx, this.instance, 'safety', jobActor)).id;
        } catch (error) {
          // A backup already under way will do: it is at least as fresh as the request.
          const running = isRoostError(error)
            ? (error.details as { backupId?: string } | undefined)
            : undefined;
          if (running?.backupId) return running.backupId;
          throw error;
        }
      });
      this.row = await update(this.deps, this.row, { backup_id: backupId });
    }
    const backupId = this.row.backup_id as string;
    const deadline = Date.now() + backupDeadlineMs;
    for (;;) {
      const backup = await db
        .selectFrom('backups')
        .select(['state', 'progress', 'error'])
        .where('id', '=', backupId)
        .executeTakeFirstOrThrow();
      if (backup.state === 'succeeded') return backupId;
      if (backup.state === 'failed' || backup.state === 'pruned')
        throw new RoostError('internal', `backup ${backupId} ${backup.state}: ${backup.error ?? ''}`.trim());
      if (Date.now() > deadline)
        throw new RoostError('unavailable', `backup ${backupId} did not end in time`);
      await this.progress(`backup ${backupId}: ${backup.progress ?? backup.state}`);
      this.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** b) the stack on the target driver, under the same slug (objects of two drivers never clash). */
  private async provision(): Promise<string> {
    const spec = stackSpecOf(this.targetRow());
    const { changes } = await this.driver(this.row.target).converge(
      spec,
      vaultSecretSource(this.deps.vault, this.instance.id),
      ({ service, message }) => {
        void this.progress(`provisioning on ${this.row.target}: ${service}: ${message}`).catch(() => {});
      },
    );
    const status = await this.driver(this.row.target).inspect(this.slug);
    const endpoint = status?.endpoints.api[0];
    if (!endpoint)
      throw new RoostError('internal', `the new stack on ${this.row.target} publishes no API endpoint`);
    this.row = await update(this.deps, this.row, { endpoint: new URL(endpoint).host });
    return `${changes.length} change(s); API at ${endpoint}`;
  }

  private async manifest(): Promise<BackupManifest> {
    const backup = await this.deps.store.db
      .selectFrom('backups')
      .select('manifest')
      .where('id', '=', this.row.backup_id as string)
      .executeTakeFirstOrThrow();
    if (!backup.manifest) throw new RoostError('conflict', `backup ${this.row.backup_id} has no manifest`);
    return manifestSchema.parse(JSON.parse(backup.manifest));
  }

  /** c) checksums first, then gpg → zstd → pg_restore into the new stack's database. */
  private async restore(): Promise<string> {
    const manifest = await this.manifest();
    await verifyBackupFiles(this.deps.backups.target, manifest);
    const engine = postgresEngine(this.driver(this.row.target));
    const privateKey = await this.deps.vault.reveal(keyOwnerOf(this.instance.id), privateKeyName);
    await streamRestore(
      this.deps.backups.target,
      `${backupFolder(manifest.instance.slug, manifest.id)}/${engine.dumpFile}`,
      privateKey,
      engine,
      this.slug,
      this.signal,
    );
    return `backup ${manifest.id}`;
  }

  /** d) the new API answers /status ok, and its row counts equal the manifest's. */
  private async verify(): Promise<string> {
    const manifest = await this.manifest();
    const target = this.driver(this.row.target);
    const actual = await postgresEngine(target).rowCounts(this.slug);
    if (!rowCountsMatch(actual, manifest.rowCounts))
      throw new RoostError(
        'internal',
        `row counts on ${this.row.target} differ from backup ${manifest.id}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(manifest.rowCounts)}`,
      );
    const status = await checkAppStatus(target, this.slug, statusDeadlineMs);
    if (!status.ok)
      throw new RoostError('unavailable', `${status.url || this.slug} did not answer ok: ${status.detail}`);
    const rows = Object.values(actual).reduce((sum, count) => sum + count, 0);
    return `/status ok; ${Object.keys(actual).length} table(s), ${rows} row(s) as in the manifest`;
  }

  /** e) the name: an RFC 2136 update on the DNS server, or (without one) the endpoint on the row in (f). */
  private async switch(): Promise<string> {
    const { dns } = this.deps.config;
    if (!dns.server)
      return `no DNS server configured: the edge route is the instance's endpoint ${this.row.endpoint}`;
    const { records } = await switchName(
      dns,
      this.deps.vault,
      this.slug,
      placementOf(`http://${this.row.endpoint}`),
    );
    return records.join('; ');
  }

  /** f) the instance row names the target driver: every later operation goes there. */
  private async record(): Promise<string> {
    const target = this.targetRow();
    await this.deps.store.db
      .updateTable('instances')
      .set({
        runtime: this.row.target,
        release: target.release,
        db_rotations: 0,
        endpoint: this.row.endpoint,
        updated_at: this.deps.clock.now().getTime(),
      })
      .where('id', '=', this.instance.id)
      .execute();
    const moved = await this.deps.store.db
      .selectFrom('instances')
      .selectAll()
      .where('id', '=', this.instance.id)
      .executeTakeFirstOrThrow();
    for (const listener of this.deps.lifecycle ?? []) {
      if (listener.provisioned) await listener.provisioned(toInstance(moved));
    }
    return `runtime ${this.row.target}`;
  }

  /** g) the stack leaves the source driver (its data and secret files erased; the vault keeps the secrets). */
  private async cleanup(): Promise<string> {
    const { removed } = await this.driver(this.row.source).remove(this.slug);
    return `${removed.length} item(s) removed from ${this.row.source}`;
  }

  async succeed(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const summary = `moved to ${this.row.target} in ${this.steps().reduce((sum, step) => sum + step.ms, 0)} ms`;
    await this.deps.store.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('instance_migrations')
        .set({ state: 'succeeded', error: null, finished_at: now })
        .where('id', '=', this.row.id)
        .execute();
      await trx
        .updateTable('instance_operations')
        .set({ state: 'succeeded', progress: `done: ${summary}`, error: null, finished_at: now })
        .where('id', '=', this.row.operation_id)
        .execute();
    });
    await this.deps.audit.append({
      actor: jobActor,
      action: 'instance.migrated',
      target: this.instance.id,
      result: 'ok',
      details: {
        slug: this.slug,
        migrationId: this.row.id,
        from: this.row.source,
        to: this.row.target,
        backupId: this.row.backup_id,
        steps: this.steps(),
      },
    });
    await this.report(false, summary);
  }

  /** Removes whatever the target driver has of the instance; the source and the row were never touched. */
  async rollBack(message: string): Promise<void> {
    await this.progress(`failed (${message}); removing the stack from ${this.row.target}`);
    const started = Date.now();
    let note = `target stack removed from ${this.row.target}`;
    try {
      const { removed } = await this.driver(this.row.target).remove(this.slug);
      note = `${removed.length} item(s) removed from ${this.row.target}`;
    } catch (error) {
      note = `removing the target stack failed: ${describeError(error)}`;
    }
    const entry: StepTime = {
      step: 'rollback',
      ms: Date.now() - started,
      at: this.deps.clock.now().toISOString(),
      note,
    };
    const now = this.deps.clock.now().getTime();
    const recorded = await this.deps.store.db.transaction().execute(async (trx) => {
      const ended = await trx
        .updateTable('instance_migrations')
        .set({
          state: 'rolled-back',
          error: message,
          report: JSON.stringify([...this.steps(), entry]),
          finished_at: now,
        })
        .where('id', '=', this.row.id)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (ended.numUpdatedRows === 0n) return false;
      await trx
        .updateTable('instance_operations')
        .set({
          state: 'failed',
          error: message,
          progress: `rolled back: ${this.slug} still runs on ${this.row.source}`,
          finished_at: now,
        })
        .where('id', '=', this.row.operation_id)
        .execute();
      return true;
    });
    // Already ended elsewhere (a dead-job handler run twice, a late attempt whose lease was taken): once.
    if (!recorded) return;
    await this.deps.audit.append({
      actor: jobActor,
      action: 'instance.migrate.rolled-back',
      target: this.instance.id,
      result: 'failed',
      details: { slug: this.slug, migrationId: this.row.id, error: message, step: this.row.step, note },
    });
    await this.report(true, `migration of ${this.slug} to ${this.row.target} rolled back: ${message}`);
  }

  /** After the switch: the name already points at the target; what is left, and how to resume, said plainly. */
  async fail(message: string, jobId: string): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const left = stepsAfter(this.row.step).join(', ');
    const error = `${message} (after the name switch; steps left: ${left}; resume them with roost jobs retry ${jobId})`;
    const recorded = await this.deps.store.db.transaction().execute(async (trx) => {
      const ended = await trx
        .updateTable('instance_migrations')
        .set({ state: 'failed', error, finished_at: now })
        .where('id', '=', this.row.id)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (ended.numUpdatedRows === 0n) return false;
      await trx
        .updateTable('instance_operations')
        .set({ state: 'failed', error, progress: 'failed', finished_at: now })
        .where('id', '=', this.row.operation_id)
        .execute();
      return true;
    });
    if (!recorded) return;
    await this.deps.audit.append({
      actor: jobActor,
      action: 'instance.migrate.failed',
      target: this.instance.id,
      result: 'failed',
      details: { slug: this.slug, migrationId: this.row.id, error, step: this.row.step },
    });
    await this.report(true, `migration of ${this.slug} to ${this.row.target} failed: ${error}`);
  }

  private async report(active: boolean, summary: string): Promise<void> {
    if (this.row.trigger === 'manual' && !active) return;
    await this.deps.conditions
      ?.report({
        source: 'migrations',
        key: `${this.instance.id}:migration-failed`,
        instanceId: this.instance.id,
        severity: this.row.trigger === 'manual' ? 'warning' : 'critical',
        summary,
        labels: { trigger: this.row.trigger, target: this.row.target },
        active,
      })
      .catch((error: unknown) =>
        this.deps.logger?.warn({ error: describeError(error) }, 'reporting the migration condition failed'),
      );
  }
}

const stepLabels: Record<MigrationStep, string> = {
  backup: 'a) taking the backup',
  provision: 'b) provisioning the stack on the target runtime',
  restore: 'c) restoring the backup into the new stack',
  verify: 'd) verifying /status and row counts',
  switch: 'e) switching the name',
  record: 'f) recording the new runtime on the instance',
  cleanup: 'g) removing the stack from the source runtime',
};

async function update(
  deps: MigrationDeps,
  row: Row,
  changes: Partial<Omit<InstanceMigrationTable, 'id'>>,
  progress?: string,
): Promise<Row> {
  return deps.store.db.transaction().execute(async (trx) => {
    const next =
      Object.keys(changes).length === 0
        ? row
        : await trx
            .updateTable('instance_migrations')
            .set(changes)
            .where('id', '=', row.id)
            .returningAll()
            .executeTakeFirstOrThrow();
    if (progress !== undefined) {
      await trx
        .updateTable('instance_operations')
        .set({
          progress,
          ...(changes.state === 'running' ? { state: 'running', started_at: Number(next.started_at) } : {}),
        })
        .where('id', '=', row.operation_id)
        .execute();
    }
    return next;
  });
}
