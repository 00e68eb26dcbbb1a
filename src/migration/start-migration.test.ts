import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import type { Actor } from '../auth/actor.ts';
import { rolePermissions } from '../auth/index.ts';
import { createLocalTarget, defaultBackupSettings } from '../backups/index.ts';
import { loadConfig } from '../config/index.ts';
import { isRoostError } from '../core/errors.ts';
import { createJobs } from '../jobs/index.ts';
import { createLocalRuntime, createSwarmRuntime } from '../runtime/index.ts';
import { openStatusDeps } from '../status/test-fixture.ts';
import {
  drpPlan,
  type MigrationDeps,
  migrationQueue,
  runDrill,
  runMigration,
  setDnsKey,
  startMigration,
} from './index.ts';

const person = (role: 'admin' | 'operator', secondFactorAt: number | null): Actor => ({
  kind: 'user',
  id: `usr_${role}`,
  label: `${role}@example.com`,
  role,
  permissions: new Set(rolePermissions[role]),
  secondFactorAt,
  ip: null,
});

async function open(
  use: Parameters<Parameters<typeof describeEachDialect>[1]>[0],
  t: Parameters<typeof use>[0],
) {
  const opened = await use(t);
  const deps = await openStatusDeps(opened);
  if (!opened || !deps) return undefined;
  const jobs = createJobs({ store: deps.store, clock: deps.clock }, { timeZone: 'UTC', leaseSeconds: 60 });
  const drivers = { local: createLocalRuntime({ dataDir: opened.directory }), swarm: createSwarmRuntime() };
  const migrations: MigrationDeps = {
    config: loadConfig({ env: { ROOST_DATA_DIR: opened.directory } }).config,
    store: deps.store,
    vault: deps.vault,
    clock: deps.clock,
    audit: deps.audit,
    jobs,
    drivers,
    backups: {
      ...deps,
      jobs,
      runtime: drivers.local,
      target: createLocalTarget(`${opened.directory}/backups`),
      settings: defaultBackupSettings,
    },
  };
  const staging = async (slug: string) => {
    const id = await deps.addInstance(slug);
    await deps.store.db
      .updateTable('instances')
      .set({ environment: 'staging' })
      .where('id', '=', id)
      .execute();
    return id;
  };
  return { ...deps, migrations, staging };
}

describeEachDialect('starting a migration', (use) => {
  it('production needs an admin with a fresh second factor; refusals are audited', async (t) => {
    const deps = await open(use, t);
    if (!deps) return;
    const id = await deps.addInstance('acme-prod');
    const now = deps.clock.now().getTime();
    await assert.rejects(
      startMigration(deps.migrations, person('operator', now), { slug: 'acme-prod', to: 'swarm' }),
      (error) => isRoostError(error) && error.code === 'forbidden',
    );
    await assert.rejects(
      startMigration(deps.migrations, person('admin', now - 3_600_000), { slug: 'acme-prod', to: 'swarm' }),
      (error) => isRoostError(error),
    );
    const denied = await deps.audit.list({ action: 'instance.migrate', target: id });
    assert.deepEqual(
      denied.map((event) => event.result),
      ['denied', 'denied'],
    );
    const migration = await startMigration(deps.migrations, person('admin', now), {
      slug: 'acme-prod',
      to: 'swarm',
    });
    assert.match(migration.id, /^mig_/);
    assert.equal(migration.state, 'queued');
    assert.equal(migration.source, 'local');
    assert.equal(migration.target, 'swarm');
    assert.equal(migration.backupChoice, 'fresh');
    const operation = await deps.store.db
      .selectFrom('instance_operations')
      .selectAll()
      .where('id', '=', migration.operationId)
      .executeTakeFirstOrThrow();
    assert.equal(operation.kind, 'migrate');
    const [job] = await deps.migrations.jobs.list({ queue: migrationQueue });
    assert.equal(job?.id, operation.job_id);
    // One operation at a time: a second move, or any other operation, waits.
    await assert.rejects(
      startMigration(deps.migrations, person('admin', now), { slug: 'acme-prod', to: 'swarm' }),
      (error) => isRoostError(error) && error.code === 'conflict',
    );
    const events = await deps.audit.list({ action: 'instance.migrate', target: id });
    assert.equal(events.filter((event) => event.result === 'ok').length, 1);
  });

  it('staging needs an operator; bad input names its field and writes nothing', async (t) => {
    const deps = await open(use, t);
    if (!deps) return;
    await deps.staging('acme-test');
    const operator = person('operator', null);
    await assert.rejects(
      startMigration(deps.migrations, operator, { slug: 'acme-test', to: 'mars' }),
      (error) => isRoostError(error) && error.code === 'invalid_input' && error.message.startsWith('to:'),
    );
    await assert.rejects(
      startMigration(deps.migrations, operator, { slug: 'acme-test', to: 'local' }),
      (error) =>
        isRoostError(error) && error.code === 'invalid_input' && /already runs on local/.test(error.message),
    );
    await assert.rejects(
      startMigration(deps.migrations, operator, { slug: 'nobody', to: 'swarm' }),
      (error) => isRoostError(error) && error.code === 'not_found',
    );
    await assert.rejects(
      startMigration(deps.migrations, operator, { slug: 'acme-test', to: 'swarm', backup: 'bkp_missing' }),
      (error) => isRoostError(error) && error.code === 'not_found' && error.message.startsWith('backup:'),
    );
    const written = await deps.store.db.selectFrom('instance_migrations').select('id').execute();
    assert.equal(written.length, 0);
    const migration = await startMigration(deps.migrations, operator, {
      slug: 'acme-test',
      to: 'swarm',
      backup: 'latest',
    });
    assert.equal(migration.backupChoice, 'latest');
  });

  it('plans the DRP over production instances only, as a dry run', async (t) => {
    const deps = await open(use, t);
    if (!deps) return;
    await deps.addInstance('zeta-prod');
    await deps.addInstance('alpha-prod');
    await deps.staging('beta-test');
    const plan = await drpPlan(deps.migrations, person('operator', null), { to: 'swarm' });
    assert.deepEqual(
      plan.instances.map((entry) => [entry.slug, entry.from, entry.to, entry.action, entry.latestBackup]),
      [
        ['alpha-prod', 'local', 'swarm', 'migrate', null],
        ['zeta-prod', 'local', 'swarm', 'migrate', null],
      ],
    );
    const already = await drpPlan(deps.migrations, person('operator', null), { to: 'local' });
    assert.deepEqual(
      already.instances.map((entry) => entry.action),
      ['already there', 'already there'],
    );
    assert.equal((await deps.store.db.selectFrom('instance_migrations').select('id').execute()).length, 0);
  });

  it('keeps the TSIG secret in the vault: admins only, audited without the value', async (t) => {
    const deps = await open(use, t);
    if (!deps) return;
    const secret = Buffer.alloc(32, 7).toString('base64');
    await assert.rejects(
      setDnsKey(deps.migrations, person('operator', null), { secret }),
      (error) => isRoostError(error) && error.code === 'forbidden',
    );
    await assert.rejects(
      setDnsKey(deps.migrations, deps.local, { secret: 'not base64!' }),
      (error) => isRoostError(error) && error.code === 'invalid_input',
    );
    await setDnsKey(deps.migrations, deps.local, { secret });
    assert.equal(await deps.vault.reveal('installation:dns', 'tsig-secret'), secret);
    const events = await deps.audit.list({ action: 'dns.key.set' });
    assert.equal(events.length, 1);
    assert.ok(!JSON.stringify(events).includes(secret));
  });

  it('the monthly drill moves the chosen staging instance to the other runtime, never production', async (t) => {
    const deps = await open(use, t);
    if (!deps) return;
    assert.deepEqual(await runDrill(deps.migrations), { skipped: 'drp.drill is off' });
    await deps.staging('drill-test');
    await deps.addInstance('drill-prod');
    const drill = (instance: string): MigrationDeps => ({
      ...deps.migrations,
      config: { ...deps.migrations.config, drp: { drill: { enabled: true, instance, cron: '0 4 1 * *' } } },
    });
    await assert.rejects(
      runDrill(drill('drill-prod')),
      (error) => isRoostError(error) && error.code === 'invalid_input' && /staging only/.test(error.message),
    );
    const started = (await runDrill(drill('drill-test'))) as { migrationId: string; to: string };
    assert.equal(started.to, 'swarm');
    const row = await deps.store.db
      .selectFrom('instance_migrations')
      .select(['trigger', 'state'])
      .where('id', '=', started.migrationId)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...row }, { trigger: 'drill', state: 'queued' });
  });

  it('a run whose job is aborted stops before its next step and leaves the migration for the next run', async (t) => {
    const deps = await open(use, t);
    if (!deps) return;
    await deps.staging('acme-stage');
    const queued = await startMigration(deps.migrations, person('operator', null), {
      slug: 'acme-stage',
      to: 'swarm',
    });
    const [job] = await deps.migrations.jobs.list({ queue: migrationQueue });
    assert.ok(job);
    const lost = AbortSignal.abort(new Error('lease lost to another worker'));
    await assert.rejects(runMigration(deps.migrations, job, lost), /lease lost to another worker/);
    const row = await deps.store.db
      .selectFrom('instance_migrations')
      .select(['state', 'step', 'error', 'report'])
      .where('id', '=', queued.id)
      .executeTakeFirstOrThrow();
    // Neither rolled back nor failed, no step done: the job's next run starts where this one stopped.
    assert.deepEqual({ ...row }, { state: 'running', step: 'queued', error: null, report: '[]' });
    assert.equal((await deps.store.db.selectFrom('backups').select('id').execute()).length, 0);
    for (const action of ['instance.migrate.rolled-back', 'instance.migrate.failed'])
      assert.deepEqual(await deps.audit.list({ action }), [], `no ${action}`);
  });
});
