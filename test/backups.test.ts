// Backups end to end on the real SQLite store and the real local runtime (PostgreSQL, Redis, sample API):
// key at provisioning, streamed encrypted backups to a local target, a restore with Debian's stock tools,
// checksum refusal, access rules, 25 days of scheduled backups under a manual clock, decommission.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Actor, csrfToken } from '../src/auth/index.ts';
import {
  type Backup,
  type BackupDeps,
  createSftpTarget,
  exportBackupKey,
  findInstanceKey,
  getDrill,
  installationSshKey,
  listBackups,
  listDrills,
  manifestFile,
  registerBackupJobs,
  restoreBackup,
  runBackup,
  runBackupJob,
  startDrill,
} from '../src/backups/index.ts';
import { isRoostError } from '../src/core/errors.ts';
import { sessionCookie } from '../src/http/middleware/actor.ts';
import {
  decommissionInstance,
  getCertificate,
  getInstance,
  type InstanceDeps,
} from '../src/instances/index.ts';
import type { JobRecord } from '../src/jobs/index.ts';
import { createAdminAppFor } from '../src/main.ts';
import { runCli, scratchDirectory } from './fixtures/cli.ts';
import {
  createRunningInstance,
  instancePsql,
  instanceSetup,
  operationSettled,
  uniqueSlug,
} from './fixtures/instances.ts';
import { enrolledSession, startTestRoost, type TestRoost, userWithRole } from './fixtures/roost.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { sshdUnavailable, startSshd } from './fixtures/sshd.ts';
import { until } from './fixtures/wait.ts';

const slug = uniqueSlug('bk');
const day = 24 * 60 * 60 * 1000;

describe('backups on the local runtime', () => {
  let test: TestRoost;
  let deps: InstanceDeps;
  let backups: BackupDeps;
  let local: Actor;
  let instanceId: string;
  let backupRoot: string;

  const psql = (sql: string) => instancePsql(test, slug, sql);

  /**
   * Runs `work` while the newest backup's manifest claims row counts its dump cannot match (the checksums
   * still pass, the verification fails), then puts the manifest back.
   */
  async function withWrongRowCounts<T>(work: (backup: Backup) => Promise<T>): Promise<T> {
    const [latest] = await listBackups(backups, local, { slug });
    assert.ok(latest?.manifest);
    const setManifest = (manifest: object) =>
      test.roost.store.db
        .updateTable('backups')
        .set({ manifest: JSON.stringify(manifest) })
        .where('id', '=', latest.id)
        .execute();
    await setManifest({
      ...latest.manifest,
      rowCounts: { ...latest.manifest.rowCounts, 'public.items': 999_999 },
    });
    try {
      return await work(latest);
    } finally {
      await setManifest(latest.manifest);
    }
  }

  /** A queued backup row of the instance, as `runBackup` leaves it, for a test that calls the job handler itself. */
  async function queuedBackupRow(prefix: string, target: string): Promise<string> {
    const id = `${prefix}${Math.random().toString(36).slice(2, 8)}`;
    await test.roost.store.db
      .insertInto('backups')
      .values({
        id,
        instance_id: instanceId,
        state: 'queued',
        trigger: 'manual',
        target,
        job_id: null,
        bytes: null,
        sha256: null,
        manifest: null,
        progress: 'queued',
        error: null,
        created_at: test.roost.clock.now().getTime(),
        started_at: null,
        finished_at: null,
        pruned_at: null,
      })
      .execute();
    return id;
  }

  async function finished(backupId: string, timeoutMs = 100_000): Promise<Backup> {
    const started = Date.now();
    return until(`backup ${backupId}`, async () => {
      if (Date.now() - started > timeoutMs - 1_000) {
        const jobs = await test.roost.jobs.list({ queue: 'backup.run', limit: 5 });
        assert.fail(
          `backup ${backupId} did not finish: ${JSON.stringify(jobs.map((job) => [job.id, job.state, job.attempts, job.runAt, job.leaseOwner, job.lastError, test.roost.clock.now()]))}`,
        );
      }
      const found = (await listBackups(backups, local, { slug, includePruned: true })).find(
        (b) => b.id === backupId,
      );
      if (found?.state === 'failed') assert.fail(`backup failed: ${found.error}`);
      return found?.state === 'succeeded' ? found : undefined;
    });
  }

  before(async () => {
    test = await startTestRoost();
    ({ deps, local } = instanceSetup(test));
    backups = test.roost.backups;
    backupRoot = path.join(test.directory, 'backups');
    registerBackupJobs(backups);
    test.roost.jobs.start();
  });

  after(async () => {
    if (test) {
      await test.roost.runtime.remove(slug).catch(() => {});
      await test.close();
    }
  });

  it('makes an OpenPGP key pair and a daily schedule when the instance is provisioned, once', async () => {
    const { instance } = await createRunningInstance(deps, local, {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    instanceId = instance.id;
    const key = await findInstanceKey(test.roost.store.db, instanceId);
    assert.ok(key);
    assert.match(key.fingerprint, /^[0-9A-F]{40}$/);
    assert.match(key.publicKey, /BEGIN PGP PUBLIC KEY BLOCK/);
    const secrets = await test.roost.vault.list(`backup-key:${instanceId}`);
    assert.deepEqual(
      secrets.map((secret) => secret.name),
      ['openpgp-private-key'],
    );
    // Idempotent: a retried converge keeps the key.
    for (const listener of test.roost.lifecycle) await listener.provisioned?.(instance);
    assert.equal((await findInstanceKey(test.roost.store.db, instanceId))?.fingerprint, key.fingerprint);
    const schedule = await test.roost.store.db
      .selectFrom('job_schedules')
      .selectAll()
      .where('name', '=', `backup:${instanceId}`)
      .executeTakeFirstOrThrow();
    const [minute, hour] = schedule.cron.split(' ').map(Number);
    assert.ok(
      (hour as number) >= 1 && (hour as number) < 5,
      `${schedule.cron} starts between 01:00 and 05:00`,
    );
    assert.ok((minute as number) >= 0 && (minute as number) < 60);
    assert.equal(schedule.time_zone, 'Europe/Paris');
  });

  it('backs up: dump, configuration and secrets encrypted, manifest last, no partial file', async () => {
    await psql(
      "create table items (id int primary key, name text); insert into items select g, 'item ' || g from generate_series(1, 1000) g; create table notes (body text); insert into notes values ('a'), ('b');",
    );
    const queued = await runBackup(backups, local, { slug });
    assert.equal(queued.state, 'queued');
    await assert.rejects(runBackup(backups, local, { slug }), (error) => isRoostError(error, 'conflict'));
    const backup = await finished(queued.id);
    const manifest = backup.manifest;
    assert.ok(manifest);
    assert.equal(manifest.rowCounts['public.items'], 1000);
    assert.equal(manifest.rowCounts['public.notes'], 2);
    assert.match(manifest.engine.version, /^PostgreSQL 15/);
    assert.equal(
      manifest.key.fingerprint,
      (await findInstanceKey(test.roost.store.db, instanceId))?.fingerprint,
    );
    const folder = path.join(backupRoot, slug, backup.id);
    assert.deepEqual(readdirSync(folder).sort(), [
      'database.dump.zst.gpg',
      'instance.json.gpg',
      manifestFile,
    ]);
    const stored = JSON.parse(readFileSync(path.join(folder, manifestFile), 'utf8'));
    assert.deepEqual(stored, manifest);
    // Encrypted: neither the data nor any secret value appears in the files.
    const values = await Promise.all(
      (await test.roost.vault.list(instanceId)).map((secret) =>
        test.roost.vault.reveal(instanceId, secret.name),
      ),
    );
    for (const name of readdirSync(folder)) {
      const content = readFileSync(path.join(folder, name));
      assert.equal(content.includes('item 999'), false);
      for (const value of values)
        assert.equal(content.includes(value), false, `a secret value is in ${name}`);
    }
  });

  it('restores with stock tools only: gpg, zstd and pg_restore from Debian', async () => {
    const [backup] = await listBackups(backups, local, { slug });
    assert.ok(backup);
    const { privateKey } = await exportBackupKey(backups, local, { slug });
    const scratch = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : test.directory, 'stock-'));
    try {
      const home = path.join(scratch, 'gnupg');
      execFileSync('mkdir', ['-m', '700', home]);
      writeFileSync(path.join(scratch, 'key.asc'), privateKey, { mode: 0o600 });
      execFileSync('gpg', [
        '--homedir',
        home,
        '--batch',
        '--quiet',
        '--import',
        path.join(scratch, 'key.asc'),
      ]);
      const folder = path.join(backupRoot, slug, backup.id);
      const decrypted = spawnSync(
        'sh',
        [
          '-c',
          'gpg --homedir "$1" --batch --quiet --decrypt "$2" | zstd -d -q -c',
          'restore',
          home,
          path.join(folder, 'database.dump.zst.gpg'),
        ],
        { maxBuffer: 256 * 1024 * 1024 },
      );
      assert.equal(decrypted.status, 0, decrypted.stderr.toString());
      const config = JSON.parse(
        execFileSync('gpg', [
          '--homedir',
          home,
          '--batch',
          '--quiet',
          '--decrypt',
          path.join(folder, 'instance.json.gpg'),
        ]).toString(),
      );
      assert.equal(config.instance.slug, slug);
      assert.deepEqual(Object.keys(config.secrets).sort(), [
        'cache-password',
        'db-password',
        'jwt-signing-key',
      ]);
      spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
      await psql('create database stockcheck');
      const restored = await test.roost.runtime.exec(
        slug,
        'db',
        ['pg_restore', '--no-owner', '--dbname', 'stockcheck'],
        {
          stdin: decrypted.stdout,
        },
      );
      assert.equal(restored.code, 0, restored.stderr);
      const digest = "select count(*) || ':' || md5(string_agg(id || name, ',' order by id)) from items";
      const check = await test.roost.runtime.exec(slug, 'db', [
        'psql',
        '-X',
        '-A',
        '-t',
        '-d',
        'stockcheck',
        '-c',
        digest,
      ]);
      assert.equal(check.stdout.trim(), await psql(digest));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await psql('drop database if exists stockcheck');
    }
  });

  it('restores automatically into the instance and checks the row counts', async () => {
    await psql('delete from items where id > 10; drop table notes');
    const progress: string[] = [];
    const report = await restoreBackup(backups, local, { slug, confirm: slug }, (step) =>
      progress.push(step),
    );
    assert.equal(report.rowCounts.match, true);
    assert.equal(report.restoredInto, slug);
    assert.equal(await psql('select count(*) from items'), '1000');
    assert.equal(await psql('select count(*) from notes'), '2');
    assert.equal(report.status?.ok, true, report.status?.detail ?? 'no status');
    assert.match(report.status?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/status$/);
    assert.deepEqual(
      report.steps.map((step) => step.step),
      [
        'verifying checksums',
        'backing up the current data (safety backup)',
        'restoring the database',
        'comparing row counts',
        "checking the app's /status",
      ],
    );
    assert.deepEqual(
      progress,
      report.steps.map((step) => step.step),
    );
    // The safety backup is a normal, verified backup of the data the restore replaced (10 items, no notes).
    const safety = (await listBackups(backups, local, { slug })).find((b) => b.id === report.safetyBackupId);
    assert.equal(safety?.trigger, 'safety');
    assert.equal(safety?.state, 'succeeded');
    assert.equal(safety?.manifest?.rowCounts['public.items'], 10);
    assert.equal(safety?.manifest?.rowCounts['public.notes'], undefined);
    await assert.rejects(restoreBackup(backups, local, { slug, confirm: 'nope' }), (error) =>
      isRoostError(error, 'invalid_input'),
    );
    await assert.rejects(
      restoreBackup(backups, local, { slug, confirm: slug, environment: 'production' }),
      (error) =>
        isRoostError(error, 'invalid_input') && /^environment: only for a restore into/.test(error.message),
    );
  });

  it('does not restore when the safety backup cannot be taken', async () => {
    const original = (await listBackups(backups, local, { slug })).find((b) => b.trigger === 'manual');
    assert.ok(original);
    await psql("insert into items values (6000, 'not backed up')");
    // A backup already under way: the safety backup is refused, so the restore must not start.
    const now = test.roost.clock.now().getTime();
    const busy = `bkp_busy${Math.random().toString(36).slice(2, 8)}`;
    await test.roost.store.db
      .insertInto('backups')
      .values({
        id: busy,
        instance_id: instanceId,
        state: 'running',
        trigger: 'manual',
        target: backups.target.description,
        job_id: null,
        bytes: null,
        sha256: null,
        manifest: null,
        progress: 'running',
        error: null,
        created_at: now,
        started_at: now,
        finished_at: null,
        pruned_at: null,
      })
      .execute();
    try {
      await assert.rejects(
        restoreBackup(backups, local, { slug, confirm: slug, backupId: original.id }),
        (error) => isRoostError(error, 'conflict') && /already under way/.test(error.message),
      );
      assert.equal(await psql('select count(*) from items'), '1001', 'the database was not touched');
    } finally {
      await test.roost.store.db.deleteFrom('backups').where('id', '=', busy).execute();
      await psql('delete from items where id = 6000');
    }
  });

  it('restores into a new instance with the source key, verifies it, and leaves the source alone', async () => {
    const into = uniqueSlug('bki');
    // The newest good backup is now the safety backup (10 items): name the first one (1000 items).
    const original = (await listBackups(backups, local, { slug })).find((b) => b.trigger === 'manual');
    assert.ok(original);
    await assert.rejects(
      restoreBackup(backups, local, { slug, into: 'Not_A_Slug' }),
      (error) => isRoostError(error, 'invalid_input') && /^into: a DNS-safe slug/.test(error.message),
    );
    await psql("insert into items values (7000, 'only in the source')");
    try {
      const report = await restoreBackup(backups, local, { slug, into, backupId: original.id });
      assert.equal(report.restoredInto, into);
      assert.equal(report.rowCounts.match, true);
      assert.equal(report.status?.ok, true, report.status?.detail ?? 'no status');
      assert.equal(report.safetyBackupId, undefined, 'nothing is replaced, so no safety backup');
      assert.deepEqual(
        report.steps.map((step) => step.step),
        [
          'verifying checksums',
          `provisioning ${into}`,
          'restoring the database',
          'comparing row counts',
          "checking the app's /status",
        ],
      );
      const details = await getInstance(deps, local, { slug: into });
      assert.equal(details.instance.customer, 'Acme');
      assert.equal(details.instance.environment, 'staging');
      assert.equal(details.instance.runtime, 'local');
      const count = await test.roost.runtime.exec(into, 'db', [
        'psql',
        '-X',
        '-A',
        '-t',
        '-c',
        'select count(*) from items',
      ]);
      assert.equal(count.stdout.trim(), '1000');
      assert.equal(await psql('select count(*) from items'), '1001', 'the source is untouched');
      await assert.rejects(restoreBackup(backups, local, { slug, into }), (error) =>
        isRoostError(error, 'conflict'),
      );
    } finally {
      await psql('delete from items where id = 7000');
      const { operation } = await decommissionInstance(deps, local, { slug: into });
      await operationSettled(deps, local, into, operation.id);
    }
  });

  it('decommissions the new instance when the restore into it fails, and says which step failed', async () => {
    const into = uniqueSlug('bkf');
    await withWrongRowCounts(async (latest) => {
      await assert.rejects(
        restoreBackup(backups, local, { slug, into, backupId: latest.id }),
        (error) =>
          isRoostError(error) &&
          new RegExp(
            `restore into ${into} failed while restoring and verifying: .*row counts differ.*; it was decommissioned`,
          ).test(error.message),
      );
      const gone = await getInstance(deps, local, { slug: into });
      assert.equal(gone.instance.state, 'decommissioned');
      assert.equal(await test.roost.runtime.inspect(into), undefined, 'nothing of the stack is left');
    });
  });

  it('runs restore drills: a throw-away instance restored, verified, removed; a failure alerts until the next good drill', async () => {
    const alertOf = () =>
      test.roost.store.db
        .selectFrom('alerts')
        .select(['state', 'labels', 'severity'])
        .where('instance_id', '=', instanceId)
        .where('labels', 'like', '%"source":"drills"%')
        .executeTakeFirst();
    const drilled = async (id: string) =>
      until(
        `drill ${id}`,
        async () => {
          const drill = await getDrill(backups, local, id);
          return drill.state === 'succeeded' || drill.state === 'failed' ? drill : undefined;
        },
        300_000,
      );
    const { backupId, failed } = await withWrongRowCounts(async (latest) => ({
      backupId: latest.id,
      failed: await drilled((await startDrill(backups, local, { slug })).id),
    }));
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /row counts differ/);
    assert.equal(failed.backupId, backupId);
    const firing = await alertOf();
    assert.ok(firing, 'a failed drill alerts');
    assert.notEqual(firing.state, 'resolved');
    assert.equal(firing.severity, 'critical');

    const drill = await drilled((await startDrill(backups, local, { slug })).id);
    assert.equal(drill.state, 'succeeded', drill.error ?? '');
    assert.equal(drill.trigger, 'manual');
    assert.deepEqual(
      drill.steps.map((step) => step.step),
      [
        'verifying checksums',
        `provisioning ${drill.scratchSlug}`,
        'restoring the database',
        'comparing row counts',
        "checking the app's /status",
        `decommissioning ${drill.scratchSlug}`,
      ],
    );
    assert.equal((await alertOf())?.state, 'resolved', 'the next good drill resolves the alert');
    // The throw-away instance left nothing behind: no stack, monitors, schedules, key or backups.
    for (const scratch of [failed.scratchSlug, drill.scratchSlug]) {
      const row = await test.roost.store.db
        .selectFrom('instances')
        .select(['id', 'state', 'environment'])
        .where('slug', '=', scratch)
        .executeTakeFirstOrThrow();
      assert.equal(row.state, 'decommissioned');
      assert.equal(row.environment, 'staging');
      assert.equal(await test.roost.runtime.inspect(scratch), undefined);
      const { db } = test.roost.store;
      assert.deepEqual(
        await db.selectFrom('monitors').select('id').where('instance_id', '=', row.id).execute(),
        [],
      );
      assert.deepEqual(
        await db.selectFrom('alerts').select('id').where('instance_id', '=', row.id).execute(),
        [],
      );
      assert.deepEqual(
        await db.selectFrom('job_schedules').select('name').where('name', 'like', `%${row.id}`).execute(),
        [],
      );
      assert.equal(await findInstanceKey(db, row.id), undefined);
      assert.deepEqual(
        await db.selectFrom('backups').select('id').where('instance_id', '=', row.id).execute(),
        [],
      );
    }
    const history = await listDrills(backups, local, { slug });
    assert.deepEqual(
      history
        .slice(0, 2)
        .map((entry) => entry.id)
        .sort(),
      [drill.id, failed.id].sort(),
    );
    // The drill schedule: weekly, in the backup window shifted by two hours (still out of hours).
    const schedule = await test.roost.store.db
      .selectFrom('job_schedules')
      .selectAll()
      .where('name', '=', `drill:${instanceId}`)
      .executeTakeFirstOrThrow();
    const [, hour, dayOfMonth, , weekday] = schedule.cron.split(' ');
    assert.ok(Number(hour) >= 3 && Number(hour) < 7, schedule.cron);
    assert.equal(dayOfMonth, '*');
    assert.match(weekday ?? '', /^[0-6]$/);
    assert.equal(schedule.queue, 'backup.drill');
  });

  it('refuses a backup with one flipped byte before touching the database', async () => {
    const [backup] = await listBackups(backups, local, { slug });
    assert.ok(backup);
    const file = path.join(backupRoot, slug, backup.id, 'database.dump.zst.gpg');
    const original = readFileSync(file);
    const damaged = Buffer.from(original);
    const at = Math.floor(damaged.length / 2);
    damaged[at] = (damaged[at] as number) ^ 0x01;
    writeFileSync(file, damaged);
    try {
      await psql("insert into items values (5000, 'after the backup')");
      await assert.rejects(
        restoreBackup(backups, local, { slug, confirm: slug }),
        (error) =>
          isRoostError(error, 'conflict') &&
          /damaged: database\.dump\.zst\.gpg does not match its checksum/.test(error.message),
      );
      assert.equal(await psql('select count(*) from items'), '1001', 'the database was not touched');
    } finally {
      writeFileSync(file, original);
      await psql('delete from items where id = 5000');
    }
  });

  it('lets only an admin with a fresh second factor export a key; an operator cannot restore production', async () => {
    const operator = await userWithRole(test.roost, 'operator');
    await assert.rejects(exportBackupKey(backups, operator, { slug }), (error) =>
      isRoostError(error, 'forbidden'),
    );
    const admin = await userWithRole(test.roost, 'admin');
    const stale = { ...admin, secondFactorAt: test.roost.clock.now().getTime() - 10 * 60 * 1000 };
    await assert.rejects(exportBackupKey(backups, stale, { slug }), (error) =>
      isRoostError(error, 'forbidden'),
    );
    const exported = await exportBackupKey(backups, admin, { slug });
    assert.match(exported.privateKey, /BEGIN PGP PRIVATE KEY BLOCK/);
    const events = await test.roost.audit.list({ action: 'backup.key.export' });
    assert.deepEqual(
      events
        .filter((event) => event.actorId !== 'local')
        .map((event) => [event.actorLabel, event.result])
        .reverse(),
      [
        [operator.label, 'denied'],
        [admin.label, 'denied'],
        [admin.label, 'ok'],
      ],
    );
    // Nor into a new production instance: refused before anything is created.
    const intoProduction = uniqueSlug('bkp');
    await assert.rejects(
      restoreBackup(backups, operator, { slug, into: intoProduction, environment: 'production' }),
      (error) => isRoostError(error, 'forbidden'),
    );
    assert.equal(
      await test.roost.store.db
        .selectFrom('instances')
        .select('id')
        .where('slug', '=', intoProduction)
        .executeTakeFirst(),
      undefined,
    );
    // A production row of its own: the refusal comes before any runtime work.
    await test.roost.store.db
      .updateTable('instances')
      .set({ environment: 'production' })
      .where('id', '=', instanceId)
      .execute();
    try {
      await assert.rejects(restoreBackup(backups, operator, { slug, confirm: slug }), (error) =>
        isRoostError(error, 'forbidden'),
      );
      const viewer = await userWithRole(test.roost, 'viewer');
      await assert.rejects(runBackup(backups, viewer, { slug }), (error) => isRoostError(error, 'forbidden'));
    } finally {
      await test.roost.store.db
        .updateTable('instances')
        .set({ environment: 'staging' })
        .where('id', '=', instanceId)
        .execute();
    }
  });

  it('runs, lists and exports through the CLI on the server', async () => {
    const scratch = scratchDirectory();
    try {
      const env = { ROOST_DATA_DIR: test.directory };
      const run = await runCli(['backup', 'run', slug], { cwd: scratch.path, env, timeoutMs: 120_000 });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^backup bkp_\\w+ of ${slug} succeeded`));
      assert.match(run.stderr, /^queued: queued\n(.*\n)*succeeded: done: [\d.]+ [KM]iB, verified\n$/);
      const listed = await runCli(['backup', 'list', slug], { cwd: scratch.path, env });
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /BACKUP\s+STATE\s+TRIGGER/);
      assert.match(listed.stdout, /succeeded\s+manual/);
      const file = path.join(scratch.path, 'key.asc');
      const exported = await runCli(['backup', 'key', 'export', slug, '--output', file], {
        cwd: scratch.path,
        env,
      });
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(readFileSync(file, 'utf8'), /BEGIN PGP PRIVATE KEY BLOCK/);
      const refused = await runCli(['backup', 'restore', slug, '--confirm', 'other'], {
        cwd: scratch.path,
        env,
      });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /confirm with the instance's slug/);
      const unconfirmed = await runCli(['backup', 'restore', slug], { cwd: scratch.path, env });
      assert.notEqual(unconfirmed.code, 0);
      assert.match(unconfirmed.stderr, /--confirm .*, or restore --into a new instance/);
      const drill = await runCli(['backup', 'drill', 'run', slug], {
        cwd: scratch.path,
        env,
        timeoutMs: 300_000,
      });
      assert.equal(drill.code, 0, drill.stderr);
      assert.match(
        drill.stdout,
        new RegExp(`^restore drill drl_\\w+ of ${slug} succeeded\n  verifying checksums: \\d+ ms`),
      );
      assert.match(
        drill.stderr,
        /^queued: queued\n(.*\n)*running: provisioning drill-[a-z0-9]+\n(.*\n)*succeeded: done: restored, verified and removed\n$/,
      );
      const drills = await runCli(['backup', 'drill', 'list', slug], { cwd: scratch.path, env });
      assert.equal(drills.code, 0, drills.stderr);
      assert.match(drills.stdout, /DRILL\s+INSTANCE\s+STATE/);
      assert.match(drills.stdout, new RegExp(`drl_\\w+\\s+${slug}\\s+succeeded\\s+manual`));
    } finally {
      scratch.remove();
    }
  });

  it("shows each instance's backups on the admin UI page and backs up from its button", async () => {
    const sessionOf = (role: 'operator' | 'viewer') => enrolledSession(test.roost, role);
    const token = await sessionOf('operator');
    const app = createAdminAppFor(test.roost);
    const headers = { cookie: `${sessionCookie}=${token}` };
    const page = await app.request('http://127.0.0.1/backups', { headers });
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.match(body, new RegExp(`id="backups-${slug}"`));
    assert.match(body, /data-state="succeeded"/);
    assert.match(body, /checksums verified/);
    assert.match(body, /Back up now/);
    assert.match(body, /data-drill-state="succeeded"/, 'the drills history is on the page');
    assert.doesNotMatch(body, new RegExp(`id="drill-failed-${slug}"`));
    const before = new Set((await listBackups(backups, local, { slug })).map((backup) => backup.id));
    const posted = await app.request(`http://127.0.0.1/backups/${slug}/run`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://127.0.0.1',
      },
      body: new URLSearchParams({ _csrf: csrfToken(token) }).toString(),
    });
    assert.equal(posted.status, 303);
    assert.match(posted.headers.get('location') ?? '', /notice=queued/);
    const added = (await listBackups(backups, local, { slug })).filter((backup) => !before.has(backup.id));
    assert.equal(added.length, 1);
    const [queued] = added;
    assert.ok(queued);
    // Its time comes from the test clock, earlier than the CLI's backup of the same day: once verified,
    // retention prunes it at once. Either way it must have ended well.
    const ended = await until(`backup ${queued.id}`, async () => {
      const found = (await listBackups(backups, local, { slug, includePruned: true })).find(
        (b) => b.id === queued.id,
      );
      return found && found.state !== 'queued' && found.state !== 'running' ? found : undefined;
    });
    assert.ok(ended.state === 'succeeded' || ended.state === 'pruned', `${ended.state}: ${ended.error}`);
    assert.ok(ended.manifest);
    // "Run a restore drill" queues one; it runs in the background (here, in this process's workers).
    const drillsBefore = new Set((await listDrills(backups, local, { slug })).map((drill) => drill.id));
    const drillPosted = await app.request(`http://127.0.0.1/backups/${slug}/drill`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://127.0.0.1',
      },
      body: new URLSearchParams({ _csrf: csrfToken(token) }).toString(),
    });
    assert.equal(drillPosted.status, 303);
    assert.match(drillPosted.headers.get('location') ?? '', /notice=drill/);
    const [uiDrill] = (await listDrills(backups, local, { slug })).filter(
      (drill) => !drillsBefore.has(drill.id),
    );
    assert.ok(uiDrill);
    const uiDrillEnded = await until(
      `drill ${uiDrill.id}`,
      async () => {
        const drill = await getDrill(backups, local, uiDrill.id);
        return drill.state === 'succeeded' || drill.state === 'failed' ? drill : undefined;
      },
      300_000,
    );
    assert.equal(uiDrillEnded.state, 'succeeded', uiDrillEnded.error ?? '');
    // The latest drill failed: the page warns.
    const failedDrill = `drl_zzfailed${Math.random().toString(36).slice(2, 8)}`;
    // Newer than every drill so far (the test clock may have moved while the drill ran).
    const newest = Math.max(
      test.roost.clock.now().getTime(),
      ...(await listDrills(backups, local, { slug })).map((drill) => drill.createdAt.getTime()),
    );
    const later = newest + 60_000;
    await test.roost.store.db
      .insertInto('restore_drills')
      .values({
        id: failedDrill,
        instance_id: instanceId,
        backup_id: null,
        scratch_slug: `drill-${failedDrill.slice(4)}`,
        trigger: 'schedule',
        state: 'failed',
        job_id: null,
        progress: 'failed',
        steps: '[]',
        error: 'the backup node did not answer',
        created_at: later,
        started_at: later,
        finished_at: later,
      })
      .execute();
    try {
      const warned = await (await app.request('http://127.0.0.1/backups', { headers })).text();
      assert.match(warned, new RegExp(`id="drill-failed-${slug}"`));
      assert.match(warned, /The latest restore drill failed: the backup node did not answer/);
    } finally {
      await test.roost.store.db.deleteFrom('restore_drills').where('id', '=', failedDrill).execute();
    }
    const refused = await app.request('http://127.0.0.1/backups', {
      headers: { cookie: `${sessionCookie}=${await sessionOf('viewer')}` },
    });
    assert.equal(refused.status, 403, 'viewers do not read backups');
  });

  it('retries when the backup node is unreachable (its sshd stopped), then fails, alerts and prunes nothing', async (t) => {
    const reason = sshdUnavailable();
    if (reason) {
      serviceUnavailable(t, 'sshd', reason);
      return;
    }
    // A real backup node that accepts Roost's key, then goes down.
    const sshd = await startSshd();
    const { publicKey, privateKey } = await installationSshKey(test.roost.vault);
    sshd.authorize(publicKey);
    const unreachable: BackupDeps = {
      ...backups,
      target: createSftpTarget({
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        directory: sshd.directory,
        hostKeyFingerprint: sshd.hostKeyFingerprint(),
        privateKey,
        readyTimeoutMs: 5_000,
      }),
    };
    await sshd.stop();
    const good = async () =>
      (await listBackups(backups, local, { slug, includePruned: true }))
        .filter((b) => b.state === 'succeeded')
        .map((b) => b.id);
    const goodBefore = await good();
    const id = await queuedBackupRow('bkp_unreachable', unreachable.target.description);
    // The job handler itself, as the worker calls it on the first and on the last attempt.
    const job = (attempts: number) =>
      ({
        id: 'job_test',
        queue: 'backup.run',
        payload: { backupId: id },
        attempts,
        maxAttempts: 3,
      }) as JobRecord;
    await assert.rejects(
      runBackupJob(unreachable, job(1)),
      (error) => isRoostError(error, 'unavailable') && /cannot reach the backup node/.test(error.message),
    );
    let row = (await listBackups(backups, local, { slug })).find((b) => b.id === id);
    assert.equal(row?.state, 'running');
    assert.match(row?.progress ?? '', /attempt 1 of 3 failed; retrying/);
    await assert.rejects(runBackupJob(unreachable, job(3)), (error) => isRoostError(error, 'unavailable'));
    row = (await listBackups(backups, local, { slug })).find((b) => b.id === id);
    assert.equal(row?.state, 'failed');
    assert.match(
      row?.error ?? '',
      /cannot reach the backup node sftp:\/\/roost-backup-test@127\.0\.0\.1:\d+\/backups: connect ECONNREFUSED/,
    );
    assert.deepEqual(await good(), goodBefore, 'nothing pruned');
    const [failed] = await test.roost.audit.list({ action: 'backup.failed', target: instanceId });
    assert.equal(failed?.details.backupId, id);
    const alertOf = () =>
      test.roost.store.db
        .selectFrom('alerts')
        .select(['state', 'summary'])
        .where('instance_id', '=', instanceId)
        .where('labels', 'like', '%"source":"backups"%')
        .executeTakeFirst();
    const alert = await alertOf();
    assert.ok(alert, 'a backup that failed every attempt alerts');
    assert.notEqual(alert.state, 'resolved');
    assert.match(alert.summary, /failed after every attempt: cannot reach the backup node/);
    // The next good backup resolves it.
    // Its time is the test clock's, the same as earlier backups of the day: retention may prune it at once.
    const queued = await runBackup(backups, local, { slug });
    const next = await until(`backup ${queued.id}`, async () => {
      const found = (await listBackups(backups, local, { slug, includePruned: true })).find(
        (b) => b.id === queued.id,
      );
      return found && found.state !== 'queued' && found.state !== 'running' ? found : undefined;
    });
    assert.ok(next.state === 'succeeded' || next.state === 'pruned', `${next.state}: ${next.error}`);
    assert.equal((await alertOf())?.state, 'resolved');
  });

  it('stops a run whose job is aborted: processes killed, no manifest or partial file, the record left to the next run', async () => {
    const id = await queuedBackupRow('bkp_aborted', backups.target.description);
    const job = {
      id: 'job_aborted',
      queue: 'backup.run',
      payload: { backupId: id },
      attempts: 1,
      maxAttempts: 3,
    };
    // As the worker aborts it when the job's lease went to another worker.
    const lost = AbortSignal.abort(new Error('lease lost to another worker'));
    await assert.rejects(runBackupJob(backups, job as JobRecord, lost), /lease lost to another worker/);
    const row = await test.roost.store.db
      .selectFrom('backups')
      .select(['state', 'error', 'manifest'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...row },
      { state: 'running', error: null, manifest: null },
      'neither failed nor retried',
    );
    const folder = path.join(backupRoot, slug, id);
    const left = existsSync(folder) ? readdirSync(folder) : [];
    assert.equal(left.includes(manifestFile), false, 'no manifest');
    assert.deepEqual(
      left.filter((name) => name.endsWith('.partial')),
      [],
      'no partial file',
    );
    // The next run starts the folder again and ends it.
    await runBackupJob(backups, { ...job, attempts: 2 } as JobRecord);
    const done = (await listBackups(backups, local, { slug, includePruned: true })).find((b) => b.id === id);
    assert.ok(done?.state === 'succeeded' || done?.state === 'pruned', `${done?.state}: ${done?.error}`);
  });

  // 25 real backups: allow for a loaded machine.
  it('keeps exactly 20 after 25 days of scheduled backups under a manual clock', {
    timeout: 600_000,
  }, async () => {
    const count = async () =>
      (await listBackups(backups, local, { slug, includePruned: true })).filter(
        (b) => b.trigger === 'schedule' && b.state !== 'queued' && b.state !== 'running',
      ).length;
    const dueJobs = () =>
      test.roost.store.db
        .selectFrom('jobs')
        .select('id')
        .where('state', 'in', ['queued', 'running'])
        .where('run_at', '<=', test.clock.now().getTime())
        .execute();
    for (let index = 0; index < 25; index++) {
      const before = await count();
      test.clock.advance(day);
      await test.roost.jobs.tick();
      let waited = 0;
      await until(`scheduled backup ${index + 1}`, async () => {
        if ((await count()) > before) return true;
        // A job retried after an error waits for its backoff on the test clock: let that time pass too.
        if (++waited % 50 === 0) {
          test.clock.advance(16 * 60_000);
          await test.roost.jobs.tick();
        }
        return undefined;
      });
      // The clock jumps only when no job is running: a day's jump would expire a running job's lease (a
      // weekly drill's, say) and start it a second time beside itself.
      await until(`day ${index + 1}'s jobs`, async () => {
        await test.roost.jobs.tick();
        return (await dueJobs()).length === 0 ? true : undefined;
      });
    }
    const all = await listBackups(backups, local, { slug, includePruned: true });
    const good = all.filter((b) => b.state === 'succeeded');
    assert.equal(good.length, 20);
    assert.equal(all.filter((b) => b.state === 'failed' && b.trigger === 'schedule').length, 0);
    const folders = readdirSync(path.join(backupRoot, slug)).sort();
    assert.deepEqual(folders, good.map((b) => b.id).sort(), 'pruned folders are removed from the target');
    // The weekly drills came due in these 25 days too.
    const drills = await listDrills(backups, local, { slug });
    const scheduled = drills.filter((drill) => drill.trigger === 'schedule');
    const outcomes = scheduled.map((drill) => `${drill.state}: ${drill.error ?? ''}`).join('\n');
    assert.ok(scheduled.filter((drill) => drill.state === 'succeeded').length >= 3, outcomes);
    // A drill that came due before the first backup of this test's instance has nothing to restore.
    assert.ok(
      scheduled.every((drill) => drill.state === 'succeeded' || /has no good backup/.test(drill.error ?? '')),
      outcomes,
    );
  });

  it('erases the private key at decommission and says so on the certificate', async () => {
    const { operation } = await decommissionInstance(deps, local, { slug });
    await operationSettled(deps, local, slug, operation.id);
    assert.deepEqual(await test.roost.vault.list(`backup-key:${instanceId}`), []);
    assert.equal(await findInstanceKey(test.roost.store.db, instanceId), undefined);
    const certificate = await getCertificate(deps, local, { slug });
    const erased = certificate.erased.find((entry) => entry.what === 'backups');
    assert.match(erased?.items[0] ?? '', /^OpenPGP private key [0-9A-F]{40}$/);
    assert.ok(certificate.retained.some((entry) => entry.what === 'backups on the backup target'));
    // The schedules go too: nothing would run for a decommissioned instance.
    assert.match(erased?.items[1] ?? '', /^2 backup and drill schedule\(s\)$/);
    const schedules = await test.roost.store.db
      .selectFrom('job_schedules')
      .select('name')
      .where('name', 'in', [`backup:${instanceId}`, `drill:${instanceId}`])
      .execute();
    assert.deepEqual(schedules, []);
  });
});
