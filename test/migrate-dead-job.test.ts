// A migration whose worker dies at every attempt (so no attempt ever rolls back or reports): once its job is
// dead, the migration is ended as a failed attempt would have ended it. Before the name switch it is rolled
// back and the half-made target stack removed; after it, failed with the steps left. Audited, listed by the
// API and `roost instance migrations`, and the instance is free for the next operation.
//
// On the real local runtime, without Docker: the instance is made on `local`, then its row says `swarm`, so
// for Roost it runs on swarm and the stack left on local is exactly what a move back to local half-made.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../src/auth/index.ts';
import type { InstanceDeps } from '../src/instances/index.ts';
import { createJobs, type JobRecord, type Jobs } from '../src/jobs/index.ts';
import { apiDepsOf } from '../src/main.ts';
import {
  listMigrations,
  type MigrationDeps,
  migrationDepsFrom,
  migrationQueue,
  registerMigrationJobs,
  startMigration,
} from '../src/migration/index.ts';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import { createRunningInstance, instanceSetup, uniqueSlug } from './fixtures/instances.ts';
import { dieAtEveryAttempt, waitFor } from './fixtures/jobs.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';

const slug = uniqueSlug('dead');

describe('a migration whose job dies', { timeout: 300_000 }, () => {
  let test: TestRoost;
  let local: Actor;
  /** The process that works the migration queue; here it only ticks (recovers leases, hands dead jobs). */
  let keeper: Jobs;
  let migrations: MigrationDeps;
  const scratch = scratchDirectory();

  before(async () => {
    test = await startTestRoost();
    let deps: InstanceDeps;
    ({ deps, local } = instanceSetup(test));
    test.roost.jobs.start();
    await createRunningInstance(deps, local, { slug, customer: 'Acme', environment: 'staging' });
    // From here on no other process claims or ticks.
    await test.roost.jobs.stop();
    await test.roost.store.db
      .updateTable('instances')
      .set({ runtime: 'swarm' })
      .where('slug', '=', slug)
      .execute();
    keeper = createJobs(
      { store: test.roost.store, clock: test.clock, logger: test.roost.logger },
      { timeZone: 'UTC', leaseSeconds: 60, tickIntervalMs: 3_600_000 },
    );
    migrations = migrationDepsFrom({
      ...apiDepsOf(test.roost),
      jobs: keeper,
      lifecycle: test.roost.lifecycle,
    });
    registerMigrationJobs(migrations);
  });

  after(async () => {
    scratch.remove();
    if (test) {
      await test.roost.drivers.local.remove(slug).catch(() => {});
      await test.close();
    }
  });

  /** Runs the migration's three attempts, each taken by a worker that records `step` as done and dies. */
  async function migrationDiesAt(migrationId: string, step: string): Promise<JobRecord> {
    const [job] = await keeper.list({ queue: migrationQueue, state: 'queued' });
    assert.ok(job);
    return dieAtEveryAttempt({
      store: test.roost.store,
      clock: test.clock,
      keeper,
      jobId: job.id,
      // As the real worker would have, before it died.
      attempt: async () => {
        await test.roost.store.db
          .updateTable('instance_migrations')
          .set({ state: 'running', step, started_at: test.clock.now().getTime() })
          .where('id', '=', migrationId)
          .execute();
      },
    });
  }

  it('before the name switch: rolled back, the target stack removed, audited and listed', async () => {
    assert.ok(await test.roost.drivers.local.inspect(slug), 'the half-made target is there');
    const queued = await startMigration(migrations, local, { slug, to: 'local', backup: 'latest' });
    const job = await migrationDiesAt(queued.id, 'provision');
    assert.equal(job.state, 'dead');

    const [migration] = await listMigrations(migrations, local, { slug });
    assert.equal(migration?.id, queued.id);
    assert.equal(migration?.state, 'rolled-back');
    assert.match(
      migration?.error ?? '',
      new RegExp(
        `^the migration job ${job.id} used up its 3 attempt\\(s\\) without finishing \\(last: lease expired \\(held by doomed-3#\\d+\\)\\)$`,
      ),
    );
    assert.ok(migration?.finishedAt);
    const rollback = migration?.steps.at(-1);
    assert.equal(rollback?.step, 'rollback');
    assert.match(rollback?.note ?? '', /^\d+ item\(s\) removed from local$/);
    assert.equal(await test.roost.drivers.local.inspect(slug), undefined, 'the target stack is gone');

    const instance = await test.roost.store.db
      .selectFrom('instances')
      .select(['runtime', 'state'])
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...instance }, { runtime: 'swarm', state: 'running' }, 'the source is untouched');
    const operation = await test.roost.store.db
      .selectFrom('instance_operations')
      .select(['state', 'progress'])
      .where('id', '=', queued.operationId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...operation },
      { state: 'failed', progress: `rolled back: ${slug} still runs on swarm` },
    );
    const [audited] = await test.roost.audit.list({ action: 'instance.migrate.rolled-back' });
    assert.equal(audited?.result, 'failed');
    assert.equal(audited?.details.migrationId, queued.id);
    assert.equal(audited?.details.error, migration?.error);
    assert.equal((await keeper.tick()).dead, 0, 'handed once');

    const listed = await runCli(['instance', 'migrations', slug], {
      cwd: scratch.path,
      env: { ROOST_DATA_DIR: test.directory },
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\bERROR$/m);
    assert.match(
      listed.stdout,
      new RegExp(
        `^${queued.id}\\s+swarm\\s+local\\s+rolled-back\\s+provision\\s.*used up its 3 attempt`,
        'm',
      ),
    );
  });

  it('after the name switch: failed with the steps left, nothing removed', async () => {
    const queued = await startMigration(migrations, local, { slug, to: 'local', backup: 'latest' });
    await migrationDiesAt(queued.id, 'switch');
    const [migration] = await listMigrations(migrations, local, { slug });
    assert.equal(migration?.id, queued.id);
    assert.equal(migration?.state, 'failed');
    assert.match(
      migration?.error ?? '',
      /^the migration job job_\w+ used up its 3 attempt\(s\) without finishing/,
    );
    assert.match(migration?.error ?? '', /after the name switch; steps left: record, cleanup/);
    assert.equal(migration?.steps.at(-1)?.step, undefined, 'no rollback');
    const [audited] = await test.roost.audit.list({ action: 'instance.migrate.failed' });
    assert.equal(audited?.details.migrationId, queued.id);
    const operation = await test.roost.store.db
      .selectFrom('instance_operations')
      .select('state')
      .where('id', '=', queued.operationId)
      .executeTakeFirstOrThrow();
    assert.equal(operation.state, 'failed', 'the instance is free for its next operation');
  });

  it('roost jobs retry: a failed migration resumes its steps left, a rolled-back or superseded one does not', async () => {
    const setRuntime = (runtime: 'local' | 'swarm') =>
      test.roost.store.db.updateTable('instances').set({ runtime }).where('slug', '=', slug).execute();
    const [failed, rolledBack] = await listMigrations(migrations, local, { slug });
    assert.equal(rolledBack?.state, 'rolled-back');
    assert.equal(failed?.state, 'failed');
    const deadJobOf = async (migrationId: string) => {
      const dead = await keeper.list({ queue: migrationQueue, state: 'dead' });
      const job = dead.find(
        (candidate) => (candidate.payload as { migrationId: string }).migrationId === migrationId,
      );
      assert.ok(job, `the dead job of ${migrationId}`);
      return job;
    };
    const retried = async (jobId: string, accept: (job: JobRecord) => boolean) => {
      const result = await runCli(['jobs', 'retry', jobId], {
        cwd: scratch.path,
        env: { ROOST_DATA_DIR: test.directory },
      });
      assert.equal(result.code, 0, result.stderr);
      keeper.start();
      try {
        return await waitFor(() => keeper.get(jobId) as Promise<JobRecord>, accept, { timeoutMs: 60_000 });
      } finally {
        await keeper.stop();
      }
    };

    // The move back to local: the stack left on local is now the source, and the row records swarm once
    // the dying attempts have done (e) and (f).
    const rolledBackJob = await deadJobOf(rolledBack.id);
    await setRuntime('local');
    const queued = await startMigration(migrations, local, { slug, to: 'swarm', backup: 'latest' });
    const dead = await migrationDiesAt(queued.id, 'record');
    await setRuntime('swarm');
    let [migration] = await listMigrations(migrations, local, { slug });
    assert.equal(migration?.state, 'failed');
    assert.match(
      migration?.error ?? '',
      new RegExp(`steps left: cleanup; resume them with roost jobs retry ${dead.id}\\)$`),
    );

    const resumedJob = await retried(dead.id, (job) => job.state === 'succeeded' || job.state === 'dead');
    assert.equal(resumedJob.state, 'succeeded', resumedJob.lastError ?? '');
    [migration] = await listMigrations(migrations, local, { slug });
    assert.equal(migration?.id, queued.id);
    assert.equal(migration?.state, 'succeeded', migration?.error ?? '');
    assert.equal(migration?.error, null);
    assert.deepEqual(
      migration?.steps.map((step) => step.step),
      ['cleanup'],
      'only the steps left ran',
    );
    assert.equal(await test.roost.drivers.local.inspect(slug), undefined, 'the source stack is gone');
    const operation = await test.roost.store.db
      .selectFrom('instance_operations')
      .select(['state', 'error'])
      .where('id', '=', queued.operationId)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...operation }, { state: 'succeeded', error: null });
    const [resumed] = await test.roost.audit.list({ action: 'instance.migrate.resumed' });
    assert.equal(resumed?.details.migrationId, queued.id);
    assert.deepEqual(resumed?.details.stepsLeft, ['cleanup']);
    const [migrated] = await test.roost.audit.list({ action: 'instance.migrated' });
    assert.equal(migrated?.details.migrationId, queued.id);

    // A rolled-back migration is not resumable: its retried job ends at once.
    const skipped = await retried(rolledBackJob.id, (job) => job.state === 'succeeded');
    assert.deepEqual(skipped.result, { skipped: 'rolled-back' });
    assert.equal((await listMigrations(migrations, local, { slug })).at(-1)?.state, 'rolled-back');

    // The earlier failed migration would undo the later one's move: refused.
    const superseded = await retried(
      (await deadJobOf(failed.id)).id,
      (job) => job.attempts === 1 && job.state === 'queued',
    );
    assert.match(
      superseded.lastError ?? '',
      /is not resumed: a later migration \(mig_\w+\) was started since/,
    );
    assert.equal((await listMigrations(migrations, local, { slug }))[1]?.state, 'failed');
  });
});
