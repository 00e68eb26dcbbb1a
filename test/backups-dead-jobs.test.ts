// Backups, restores and restore drills whose worker dies at every attempt (so no attempt records how they
// ended): once the job is dead, the queue's dead handler ends each as its own failure ends it. A backup is
// failed (its partial file removed, audited, alerted, nothing pruned) and the instance takes its next
// backup; a restore into a new instance is failed and the half-made instance decommissioned; a drill is
// failed, its throw-away instance removed and its alert raised.
//
// On the real local runtime. Converge jobs run in a process of their own that never ticks; the keeper works
// the backup queues and only ticks (recovers leases, hands dead jobs), as in migrate-dead-job.test.ts.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Actor, localActor } from '../src/auth/index.ts';
import {
  type BackupDeps,
  drillQueue,
  getDrill,
  getRestore,
  listBackups,
  listDrills,
  registerBackupJobs,
  runBackup,
  runDrillJob,
  startDrill,
  startRestore,
} from '../src/backups/index.ts';
import {
  createInstance,
  getInstance,
  type InstanceDeps,
  registerInstanceJobs,
} from '../src/instances/index.ts';
import { createJobs, type JobRecord, type Jobs } from '../src/jobs/index.ts';
import { apiDepsOf } from '../src/main.ts';
import { createRunningInstance, operationSettled, uniqueSlug } from './fixtures/instances.ts';
import { dieAtEveryAttempt, usedUpAttempts } from './fixtures/jobs.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { until } from './fixtures/wait.ts';

const slug = uniqueSlug('djb');
describe('backups, restores and drills whose jobs die', { timeout: 600_000 }, () => {
  let test: TestRoost;
  let local: Actor;
  let instances: InstanceDeps;
  let backups: BackupDeps;
  let keeper: Jobs;
  let converge: Jobs;
  let instanceId: string;
  /** Every stack the test makes, removed at the end whatever happened. */
  const made = [slug];

  const tick = () => keeper.tick();
  const alertOf = (source: string) =>
    test.roost.store.db
      .selectFrom('alerts')
      .select(['state', 'summary'])
      .where('instance_id', '=', instanceId)
      .where('labels', 'like', `%"source":"${source}"%`)
      .executeTakeFirst();
  const dies = (jobId: string, attempt?: (job: JobRecord) => Promise<void>) =>
    dieAtEveryAttempt({
      store: test.roost.store,
      clock: test.clock,
      keeper,
      jobId,
      ...(attempt ? { attempt } : {}),
    });
  /** What a first attempt that got as far as provisioning a new instance leaves; later attempts die at once. */
  const provisionOnFirstAttempt =
    (table: 'backup_restores' | 'restore_drills', id: string, into: string) => async (job: JobRecord) => {
      if (job.attempts > 1) return;
      made.push(into);
      await test.roost.store.db
        .updateTable(table)
        .set({ state: 'running', started_at: test.clock.now().getTime(), progress: `provisioning ${into}` })
        .where('id', '=', id)
        .execute();
      const { instance, operation } = await createInstance(instances, local, {
        slug: into,
        customer: 'Acme',
        environment: 'staging',
      });
      await operationSettled(instances, local, into, operation.id);
      await withoutSchedules(instance.id);
    };
  /** An instance's daily backup and weekly drill must not come due while the test moves the clock. */
  const withoutSchedules = (id: string) =>
    test.roost.store.db.deleteFrom('job_schedules').where('name', 'like', `%${id}`).execute();
  const assertRemoved = async (removed: string) => {
    const { instance } = await getInstance(instances, local, { slug: removed });
    assert.equal(instance.state, 'decommissioned');
    assert.equal(await test.roost.runtime.inspect(removed), undefined, 'nothing of its stack is left');
  };

  before(async () => {
    test = await startTestRoost();
    chmodSync(test.directory, 0o711); // the postgres and redis users traverse it to reach their own directories
    local = localActor(test.clock);
    const jobsOptions = { timeZone: 'UTC', leaseSeconds: 60, tickIntervalMs: 3_600_000 };
    const jobsDeps = { store: test.roost.store, clock: test.clock, logger: test.roost.logger };
    converge = createJobs(jobsDeps, jobsOptions);
    keeper = createJobs(jobsDeps, jobsOptions);
    instances = { ...apiDepsOf(test.roost), jobs: converge, lifecycle: test.roost.lifecycle };
    registerInstanceJobs(instances);
    converge.start();
    const { instance } = await createRunningInstance(instances, local, {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    instanceId = instance.id;
    await withoutSchedules(instanceId);
    backups = { ...test.roost.backups, jobs: keeper };
    registerBackupJobs(backups);
    await backedUp((await runBackup(backups, local, { slug })).id);
  });

  after(async () => {
    if (test) {
      await converge?.stop();
      await keeper?.stop();
      for (const stack of made) await test.roost.runtime.remove(stack).catch(() => {});
      await test.close();
    }
  });

  /** Runs the backup's job in the keeper until it succeeded. */
  async function backedUp(backupId: string) {
    keeper.start();
    try {
      return await until(`backup ${backupId}`, async () => {
        const found = (await listBackups(backups, local, { slug })).find((backup) => backup.id === backupId);
        if (found?.state === 'failed') assert.fail(`backup failed: ${found.error}`);
        return found?.state === 'succeeded' ? found : undefined;
      });
    } finally {
      await keeper.stop();
    }
  }

  it('a backup: failed, its partial file removed, audited and alerted, nothing pruned; the next one runs', async () => {
    const good = async () =>
      (await listBackups(backups, local, { slug })).filter((b) => b.state === 'succeeded').map((b) => b.id);
    const goodBefore = await good();
    const queued = await runBackup(backups, local, { slug });
    const folder = path.join(test.directory, 'backups', slug, queued.id);
    const job = await dies(queued.jobId as string, async () => {
      // As a worker killed during its upload leaves it.
      await test.roost.store.db
        .updateTable('backups')
        .set({ state: 'running', started_at: test.clock.now().getTime(), progress: 'dumping the database' })
        .where('id', '=', queued.id)
        .execute();
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'database.dump.zst.gpg.partial'), 'the first half of a dump');
    });
    assert.equal(job.state, 'dead');

    const failed = (await listBackups(backups, local, { slug })).find((b) => b.id === queued.id);
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.error ?? '', new RegExp(`^${usedUpAttempts('backup', 3)}$`));
    assert.equal(failed?.progress, 'failed');
    assert.ok(failed?.finishedAt);
    assert.equal(existsSync(folder), false, 'the partial file and its folder are gone');
    assert.deepEqual(
      readdirSync(path.join(test.directory, 'backups'), { recursive: true, encoding: 'utf8' }).filter(
        (name) => name.endsWith('.partial'),
      ),
      [],
    );
    assert.deepEqual(await good(), goodBefore, 'nothing pruned');
    const [audited] = await test.roost.audit.list({ action: 'backup.failed', target: instanceId });
    assert.equal(audited?.details.backupId, queued.id);
    assert.equal(audited?.details.error, failed?.error);
    const alert = await alertOf('backups');
    assert.ok(alert, 'a backup that used up its attempts alerts');
    assert.notEqual(alert.state, 'resolved');
    assert.match(alert.summary, /failed after every attempt: the backup job job_\w+ used up its 3 attempt/);
    assert.equal((await tick()).dead, 0, 'handed once');

    // The instance is free: the next backup is not refused as "already under way", and it resolves the alert.
    const next = await backedUp((await runBackup(backups, local, { slug })).id);
    assert.notEqual(next.id, queued.id);
    assert.equal((await alertOf('backups'))?.state, 'resolved');
  });

  it('a restore into a new instance: failed, the half-made instance decommissioned, audited', async () => {
    const into = uniqueSlug('djr');
    const restore = await startRestore(backups, local, { slug, into });
    await dies(restore.jobId as string, provisionOnFirstAttempt('backup_restores', restore.id, into));

    const ended = await getRestore(backups, local, restore.id);
    assert.equal(ended.state, 'failed');
    assert.match(
      ended.error ?? '',
      new RegExp(`^${usedUpAttempts('restore', 2)}; ${into} was decommissioned and ${slug} was not touched$`),
    );
    assert.ok(ended.finishedAt);
    await assertRemoved(into);
    const [audited] = await test.roost.audit.list({ action: 'backup.restore.finished', target: instanceId });
    assert.equal(audited?.result, 'failed');
    assert.equal(audited?.details.restoreId, restore.id);
    assert.equal(audited?.details.error, ended.error);
    assert.equal((await tick()).dead, 0, 'handed once');
  });

  it('a drill: failed, its throw-away instance removed, audited and alerted', async () => {
    const drill = await startDrill(backups, local, { slug });
    const [job] = await keeper.list({ queue: drillQueue, state: 'queued' });
    assert.ok(job);
    await dies(job.id, provisionOnFirstAttempt('restore_drills', drill.id, drill.scratchSlug));

    const ended = await getDrill(backups, local, drill.id);
    assert.equal(ended.state, 'failed');
    assert.match(ended.error ?? '', new RegExp(`^${usedUpAttempts('restore drill', 2)}$`));
    assert.deepEqual(
      ended.steps.map((step) => step.step),
      [`decommissioning ${drill.scratchSlug}`],
    );
    await assertRemoved(drill.scratchSlug);
    const [audited] = await test.roost.audit.list({ action: 'backup.drill.finished', target: instanceId });
    assert.equal(audited?.result, 'failed');
    assert.equal(audited?.details.drillId, drill.id);
    const alert = await alertOf('drills');
    assert.ok(alert, 'a drill whose job died alerts as a failed drill does');
    assert.notEqual(alert.state, 'resolved');
    assert.match(alert.summary, /the restore drill of [\w-]+ failed: the restore drill job job_\w+ used up/);
    assert.equal((await tick()).dead, 0, 'handed once');
  });

  it("a scheduled drill's second attempt goes on with the drill its first attempt recorded", async () => {
    // What the first attempt of a scheduled drill job left when its process stopped: its drill, running.
    const jobId = `job_scheduled${Math.random().toString(36).slice(2, 8)}`;
    const now = test.clock.now().getTime();
    const drillId = `drl_interrupted${Math.random().toString(36).slice(2, 8)}`;
    await test.roost.store.db
      .insertInto('restore_drills')
      .values({
        id: drillId,
        instance_id: instanceId,
        backup_id: null,
        scratch_slug: `drill-${drillId.slice(-6)}`,
        trigger: 'schedule',
        state: 'running',
        job_id: jobId,
        progress: 'verifying checksums',
        steps: '[]',
        error: null,
        created_at: now,
        started_at: now,
        finished_at: null,
      })
      .execute();
    const drillsBefore = (await listDrills(backups, local, { slug })).length;
    const second = { id: jobId, queue: drillQueue, payload: { instanceId }, attempts: 2, maxAttempts: 2 };
    assert.deepEqual(await runDrillJob(backups, second as JobRecord), { drillId, outcome: 'failed' });
    assert.equal((await listDrills(backups, local, { slug })).length, drillsBefore, 'no second drill');
    const ended = await getDrill(backups, local, drillId);
    assert.equal(ended.state, 'failed');
    assert.equal(ended.error, 'the drill was interrupted (the process running it stopped)');
  });
});
