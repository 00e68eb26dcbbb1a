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
import { dieAtEveryAttempt } from './fixtures/jobs.ts';
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
});
