// Restores as queued work, on the real SQLite store and the real local runtime (PostgreSQL, Redis, sample
// API): the source instance is created from the CLI (its own workers must run the lifecycle listeners), the
// refusals come at enqueue time through the JSON API, a restore job into a new instance runs to the end, an
// in-place restore runs from the CLI (enqueue and follow), and an interrupted restore is recorded as failed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Insertable } from 'kysely';
import { type Actor, csrfToken } from '../src/auth/index.ts';
import {
  type BackupDeps,
  type BackupRestore,
  findInstanceKey,
  getDrill,
  getRestore,
  listBackups,
  listDrills,
  listRestores,
  registerBackupJobs,
  runBackup,
  runDrillJob,
  runRestoreJob,
} from '../src/backups/index.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import { decommissionInstance, type InstanceDeps } from '../src/instances/index.ts';
import type { JobRecord } from '../src/jobs/index.ts';
import { createAdminAppFor } from '../src/main.ts';
import type { BackupRestoreTable } from '../src/store/index.ts';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import { instancePsql, instanceSetup, operationSettled, uniqueSlug } from './fixtures/instances.ts';
import { enrolledSession, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';
import { until } from './fixtures/wait.ts';

const slug = uniqueSlug('rs');

/** A restore as the API sends it, or an error, or a list of restores. */
type Answer = BackupRestore & {
  error: { code: string; message: string; details: Record<string, unknown> };
  restores: BackupRestore[];
};

describe('restores as jobs on the local runtime', () => {
  let test: TestRoost;
  let deps: InstanceDeps;
  let local: Actor;
  let backups: BackupDeps;
  let instanceId: string;
  let backupId: string;
  const scratch = scratchDirectory();
  const cli = (args: string[], timeoutMs = 180_000) =>
    runCli(args, { cwd: scratch.path, env: { ROOST_DATA_DIR: test.directory }, timeoutMs });

  /** The JSON API as an operator (API token), through the admin app itself. */
  let api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Answer }>;
  /** A form post of the admin UI as an operator logged in with a second factor. */
  let uiPost: (
    path: string,
    fields: Record<string, string>,
    withToken?: boolean,
  ) => Promise<{ status: number; text: string }>;

  before(async () => {
    test = await startTestRoost();
    ({ deps, local } = instanceSetup(test));
    backups = test.roost.backups;
    const app = createAdminAppFor(test.roost);
    const token = await tokenFor(test.roost, await userWithRole(test.roost, 'operator'));
    const session = await enrolledSession(test.roost, 'operator');
    uiPost = async (path, fields, withToken = true) => {
      const response = await app.request(`http://127.0.0.1${path}`, {
        method: 'POST',
        headers: {
          cookie: `${sessionCookie}=${session}`,
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://127.0.0.1',
        },
        body: new URLSearchParams({
          ...fields,
          ...(withToken ? { _csrf: csrfToken(session) } : {}),
        }).toString(),
      });
      return { status: response.status, text: await response.text() };
    };
    api = async (method, path, body) => {
      const response = await app.request(`http://127.0.0.1/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Answer };
    };
  });

  after(async () => {
    scratch.remove();
    if (test) {
      await test.roost.runtime.remove(slug).catch(() => {});
      await test.close();
    }
  });

  it('gives an instance created from the CLI (no serve running) its backup key at once', async () => {
    // No worker runs in this process yet: the CLI's own workers provision the stack.
    const created = await cli([
      'instance',
      'create',
      slug,
      '--customer',
      'Acme',
      '--env',
      'staging',
      '--wait',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const row = await test.roost.store.db
      .selectFrom('instances')
      .select(['id', 'state'])
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    assert.equal(row.state, 'running');
    instanceId = row.id;
    assert.ok(await findInstanceKey(test.roost.store.db, instanceId), 'the lifecycle listeners ran');
    const schedule = await test.roost.store.db
      .selectFrom('job_schedules')
      .select('name')
      .where('name', '=', `backup:${instanceId}`)
      .executeTakeFirst();
    assert.ok(schedule, 'and its daily backup is scheduled');
    registerBackupJobs(backups);
    test.roost.jobs.start();
  });

  it('backs up the data to restore', async () => {
    await instancePsql(
      test,
      slug,
      "create table items (id int primary key, name text); insert into items select g, 'item ' || g from generate_series(1, 500) g;",
    );
    const queued = await runBackup(backups, local, { slug });
    const backup = await until(`backup ${queued.id}`, async () => {
      const found = (await listBackups(backups, local, { slug })).find((b) => b.id === queued.id);
      if (found?.state === 'failed') assert.fail(`backup failed: ${found.error}`);
      return found?.state === 'succeeded' ? found : undefined;
    });
    backupId = backup.id;
  });

  it('refuses at enqueue: an operator may not restore production, nor skip the confirmation', async () => {
    const restoreJobs = async () => (await test.roost.jobs.list({ queue: 'backup.restore' })).length;
    const before = await restoreJobs();
    const unconfirmed = await api('POST', `/instances/${slug}/restores`, {});
    assert.equal(unconfirmed.status, 400);
    assert.equal(unconfirmed.body.error.code, 'invalid_input');
    assert.match(unconfirmed.body.error.message, /confirm with the instance's slug/);
    const wrong = await api('POST', `/instances/${slug}/restores`, { confirm: `${slug}x` });
    assert.equal(wrong.status, 400);
    const intoProduction = await api('POST', `/instances/${slug}/restores`, {
      into: uniqueSlug('rsp'),
      environment: 'production',
    });
    assert.equal(intoProduction.status, 403);
    await test.roost.store.db
      .updateTable('instances')
      .set({ environment: 'production' })
      .where('id', '=', instanceId)
      .execute();
    try {
      const inPlace = await api('POST', `/instances/${slug}/restores`, { confirm: slug });
      assert.equal(inPlace.status, 403);
      assert.equal(inPlace.body.error.code, 'forbidden');
      assert.equal(inPlace.body.error.details.permission, 'keys:export');
      // The same refusal from the form says so in words, on the form; without the CSRF token it is refused.
      const form = { backupId, mode: 'in-place', confirm: slug };
      const refused = await uiPost(`/backups/${slug}/restore`, form);
      assert.equal(refused.status, 403);
      assert.match(
        refused.text,
        /Only an admin with a fresh second factor may restore into a production instance/,
      );
      assert.match(refused.text, /id="restore-heading"/, 'the form is shown again');
      const forged = await uiPost(`/backups/${slug}/restore`, form, false);
      assert.equal(forged.status, 403);
      assert.match(forged.text, /This form did not come from a page of this Roost/);
    } finally {
      await test.roost.store.db
        .updateTable('instances')
        .set({ environment: 'staging' })
        .where('id', '=', instanceId)
        .execute();
    }
    assert.equal(await restoreJobs(), before, 'nothing was queued');
    assert.deepEqual(await listRestores(backups, local, { slug }), []);
    const denied = await test.roost.audit.list({ action: 'backup.restore', target: instanceId });
    assert.deepEqual(
      denied.map((event) => event.result),
      ['denied', 'denied', 'denied'],
      'API into production, API in place, form in place',
    );
  });

  it('runs a restore job into a new instance to the end; the new instance has the data', {
    timeout: 300_000,
  }, async () => {
    const into = uniqueSlug('rsi');
    await instancePsql(test, slug, "insert into items values (9000, 'after the backup')");
    const queued = await api('POST', `/instances/${slug}/restores`, { into });
    assert.equal(queued.status, 201, JSON.stringify(queued.body));
    const restore = queued.body;
    assert.equal(restore.state, 'queued');
    assert.equal(restore.mode, 'into');
    assert.equal(restore.backupId, backupId, 'the newest good backup, chosen at enqueue');
    assert.deepEqual(restore.into, { slug: into, environment: 'staging', runtime: 'local' });
    assert.match(restore.requestedBy.label, /^operator-/);
    const job = await test.roost.jobs.get(restore.jobId as string);
    assert.deepEqual(job?.payload, { restoreId: restore.id }, 'the job carries the decision, no secret');
    try {
      const progress = new Set<string>();
      const ended = await until(
        `restore ${restore.id}`,
        async () => {
          const { status, body } = await api('GET', `/restores/${restore.id}`);
          assert.equal(status, 200);
          if (body.progress) progress.add(body.progress);
          return body.state === 'succeeded' || body.state === 'failed' ? body : undefined;
        },
        280_000,
      );
      assert.equal(ended.state, 'succeeded', ended.error ?? '');
      assert.equal(ended.report?.restoredInto, into);
      assert.equal(ended.report?.rowCounts.match, true);
      assert.equal(ended.report?.status?.ok, true);
      assert.deepEqual(
        ended.steps.map((step) => step.step),
        [
          'verifying checksums',
          `provisioning ${into}`,
          'restoring the database',
          'comparing row counts',
          "checking the app's /status",
        ],
      );
      assert.ok(progress.size > 1, `progress was readable while it ran: ${[...progress].join(' | ')}`);
      assert.equal(await instancePsql(test, into, 'select count(*) from items'), '500');
      assert.equal(await instancePsql(test, slug, 'select count(*) from items'), '501', 'source untouched');
      const [finished] = await test.roost.audit.list({
        action: 'backup.restore.finished',
        target: instanceId,
      });
      assert.equal(finished?.result, 'ok');
      assert.equal(finished?.actorId, 'job:backup.restore');
      assert.match(String(finished?.details.requestedBy), /^operator-/);
      const listed = await api('GET', `/restores?slug=${slug}`);
      assert.deepEqual(
        listed.body.restores.map((entry) => entry.id),
        [restore.id],
      );
    } finally {
      const { operation } = await decommissionInstance(deps, local, { slug: into });
      await operationSettled(deps, local, into, operation.id);
    }
  });

  it('restores in place from the CLI: queued, followed, a safety backup first', {
    timeout: 300_000,
  }, async () => {
    const result = await cli(['backup', 'restore', slug, '--confirm', slug, '--backup', backupId]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^restored ${backupId} into ${slug} in [\\d.]+ s; row counts match`),
    );
    assert.match(result.stdout, /safety backup of the data it replaced: bkp_\w+/);
    assert.match(result.stderr, /^restoring bkp_\w+ of [\w-]+: checksums, safety backup/);
    assert.match(result.stderr, /\nrunning: backing up the current data \(safety backup\)\n/);
    assert.match(result.stderr, /\nsucceeded: done: restored into [\w-]+, row counts match, \/status OK\n$/);
    assert.equal(await instancePsql(test, slug, 'select count(*) from items'), '500');
    const [latest] = await listRestores(backups, local, { slug });
    assert.equal(latest?.mode, 'in-place');
    assert.equal(latest?.requestedBy.label, 'local');
    const safety = (await listBackups(backups, local, { slug })).find(
      (backup) => backup.id === latest?.report?.safetyBackupId,
    );
    assert.equal(safety?.trigger, 'safety');
    assert.equal(safety?.manifest?.rowCounts['public.items'], 501, 'the replaced data is kept');
    const listed = await cli(['backup', 'restores', slug]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${latest?.id}\\s+${slug}\\s+\\(in place\\)\\s+succeeded`));
  });

  /** A restore row of the instance's backup, as a queued or running restore leaves it; returns its id. */
  async function restoreRow(
    name: string,
    fields: Pick<Insertable<BackupRestoreTable>, 'state' | 'progress' | 'created_at' | 'started_at'> &
      Partial<Pick<Insertable<BackupRestoreTable>, 'into_slug' | 'into_environment' | 'into_runtime'>>,
  ): Promise<string> {
    const id = `rst_${name}${Math.random().toString(36).slice(2, 8)}`;
    await test.roost.store.db
      .insertInto('backup_restores')
      .values({
        id,
        instance_id: instanceId,
        backup_id: backupId,
        into_slug: null,
        into_environment: null,
        into_runtime: null,
        job_id: null,
        steps: '[]',
        report: null,
        error: null,
        requested_by: JSON.stringify({ id: 'local', label: 'local' }),
        finished_at: null,
        ...fields,
      })
      .execute();
    return id;
  }

  it('records a restore interrupted mid-way as failed instead of running it again', async () => {
    const now = test.roost.clock.now().getTime();
    const id = await restoreRow('interrupted', {
      state: 'running',
      progress: 'restoring the database',
      created_at: now + 60_000,
      started_at: now + 60_000,
    });
    const job = { id: 'job_test', queue: 'backup.restore', payload: { restoreId: id }, attempts: 2 };
    assert.deepEqual(await runRestoreJob(backups, job as JobRecord), { restoreId: id, outcome: 'failed' });
    const recorded = await getRestore(backups, local, id);
    assert.equal(recorded.state, 'failed');
    assert.match(recorded.error ?? '', /^the restore was interrupted \(the process running it stopped\)/);
    assert.ok(recorded.finishedAt);
  });

  it('stops a restore whose job is aborted before its next step, and its next run ends it as interrupted', async () => {
    const now = test.roost.clock.now().getTime();
    const into = uniqueSlug('ab');
    const id = await restoreRow('aborted', {
      into_slug: into,
      into_environment: 'staging',
      into_runtime: 'local',
      state: 'queued',
      progress: 'queued',
      created_at: now + 120_000,
      started_at: null,
    });
    const job = { id: 'job_aborted', queue: 'backup.restore', payload: { restoreId: id }, attempts: 1 };
    // As the worker aborts it when the job's lease went to another worker.
    const lost = AbortSignal.abort(new Error('lease lost to another worker'));
    await assert.rejects(runRestoreJob(backups, job as JobRecord, lost), /lease lost to another worker/);
    assert.equal((await getRestore(backups, local, id)).state, 'running', 'left to the next run');
    const made = await test.roost.store.db
      .selectFrom('instances')
      .select('id')
      .where('slug', '=', into)
      .executeTakeFirst();
    assert.equal(made, undefined, 'no step started: the new instance was not made');
    const audited = await test.roost.audit.list({ action: 'backup.restore' });
    assert.equal(
      audited.some((event) => event.details.into === into),
      false,
      'nothing audited by the stopped run',
    );
    assert.deepEqual(await runRestoreJob(backups, { ...job, attempts: 2 } as JobRecord), {
      restoreId: id,
      outcome: 'failed',
    });
    assert.match((await getRestore(backups, local, id)).error ?? '', /^the restore was interrupted/);
  });

  it('stops a scheduled drill whose job is aborted, and its next run ends the drill as interrupted', async () => {
    const job = {
      id: `job_drill${Math.random().toString(36).slice(2, 8)}`,
      queue: 'backup.drill',
      payload: { instanceId },
      attempts: 1,
    };
    const lost = AbortSignal.abort(new Error('lease lost to another worker'));
    await assert.rejects(runDrillJob(backups, job as JobRecord, lost), /lease lost to another worker/);
    const [drill] = await listDrills(backups, local, { slug });
    assert.equal(drill?.state, 'running', 'left to the next run');
    const made = await test.roost.store.db
      .selectFrom('instances')
      .select('id')
      .where('slug', 'like', 'drill-%')
      .executeTakeFirst();
    assert.equal(made, undefined, 'no step started: no throw-away instance');
    await runDrillJob(backups, { ...job, attempts: 2 } as JobRecord);
    const ended = await getDrill(backups, local, drill?.id ?? '');
    assert.equal(ended.state, 'failed');
    assert.match(ended.error ?? '', /^the drill was interrupted/);
  });
});
