// A migration whose process is killed with SIGKILL between steps (the new stack provisioned, nothing restored
// yet): the instance is not lost (it still serves from the source), and another process takes the job over
// after its lease and resumes from the last step recorded, to the end.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import { localActor } from '../src/auth/index.ts';
import { registerBackupJobs } from '../src/backups/index.ts';
import { createInstance, getInstance, registerInstanceJobs } from '../src/instances/index.ts';
import { apiDepsOf } from '../src/main.ts';
import {
  listMigrations,
  migrationDepsFrom,
  migrationSteps,
  registerMigrationJobs,
  setDnsKey,
} from '../src/migration/index.ts';
import { startBind, type TestBind } from './fixtures/bind.ts';
import { pollUntil, spawnCli } from './fixtures/cli.ts';
import { instancePsql } from './fixtures/instances.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { type SwarmNode, swarmNode } from './fixtures/swarm.ts';

const slug = `crash-${Math.random().toString(36).slice(2, 7)}`;

describe('a migration killed between steps', { timeout: 900_000 }, () => {
  let node: SwarmNode | { unavailable: string };
  let bind: TestBind | { unavailable: string };
  let test: TestRoost;
  let env: Record<string, string>;

  function ready(t: TestContext): boolean {
    if ('unavailable' in node) {
      serviceUnavailable(t, 'docker swarm', node.unavailable);
      return false;
    }
    if ('unavailable' in bind) {
      serviceUnavailable(t, 'BIND (named)', bind.unavailable);
      return false;
    }
    return true;
  }

  const psql = (sql: string) => instancePsql(test, slug, sql);

  before(async () => {
    node = await swarmNode();
    bind = await startBind();
    if ('unavailable' in node || 'unavailable' in bind) return;
    env = {
      ROOST_RUNTIME: 'local',
      ROOST_JOBS_LEASE_SECONDS: '5',
      ROOST_IMAGE_API: node.release.api,
      ROOST_IMAGE_DB: node.release.db,
      ROOST_IMAGE_CACHE: node.release.cache,
      ROOST_DNS_SERVER: bind.host,
      ROOST_DNS_PORT: String(bind.port),
      ROOST_DNS_ZONE: bind.zone,
      ROOST_DNS_KEY_NAME: bind.keyName,
    };
    test = await startTestRoost(env);
    chmodSync(test.directory, 0o711); // the postgres and redis users traverse it to reach their own directories
    const deps = { ...apiDepsOf(test.roost), lifecycle: test.roost.lifecycle };
    registerInstanceJobs(deps);
    registerBackupJobs(test.roost.backups);
    test.roost.jobs.start();
    const local = localActor(test.roost.clock);
    await setDnsKey(test.roost, local, { secret: bind.secret });
    const { operation } = await createInstance(deps, local, {
      slug,
      customer: 'Crash',
      environment: 'staging',
    });
    await pollUntil(
      async () => {
        const op = (await getInstance(deps, local, { slug })).operations.find(
          (candidate) => candidate.id === operation.id,
        );
        if (op?.state === 'failed') throw new Error(`provisioning failed: ${op.error}`);
        return op?.state === 'succeeded' ? true : undefined;
      },
      180_000,
      'provisioning',
    );
    await psql('create table notes as select n as id, md5(n::text) as body from generate_series(1, 500) n');
  });

  after(async () => {
    if (test) {
      for (const driver of Object.values(test.roost.drivers)) await driver.remove(slug).catch(() => {});
      await test.close();
    }
    if (bind && !('unavailable' in bind)) await bind.close();
  });

  it('keeps the instance serving from the source, then resumes in another process and finishes', {
    timeout: 900_000,
  }, async (t) => {
    if (!ready(t)) return;
    const local = localActor(test.roost.clock);
    const child = spawnCli(['instance', 'migrate', slug, '--to', 'swarm'], {
      cwd: test.directory,
      env: { ...env, ROOST_DATA_DIR: test.directory },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await pollUntil(
        async () => {
          const [migration] = await listMigrations(test.roost, local, { slug });
          if (migration && migration.state !== 'queued' && migration.state !== 'running')
            throw new Error(
              `the migration ended before the kill: ${migration.state} ${migration.error}\n${child.output()}`,
            );
          return migration?.step === 'provision' ? migration : undefined;
        },
        300_000,
        'the new stack provisioned',
      );
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const [interrupted] = await listMigrations(test.roost, local, { slug });
    assert.equal(interrupted?.state, 'running');
    const before = (await getInstance(apiDepsOf(test.roost), local, { slug })).instance;
    assert.equal(before.runtime, 'local', 'until the switch the instance stays on the source');
    assert.equal(await psql('select count(*) from notes'), '500');
    assert.ok(await test.roost.drivers.swarm.inspect(slug), 'the target stack exists during the move');

    // This process takes the job over once its lease has expired and resumes after `provision`.
    registerMigrationJobs(migrationDepsFrom({ ...apiDepsOf(test.roost), lifecycle: test.roost.lifecycle }));
    test.clock.advance(60_000);
    await test.roost.jobs.tick();
    test.clock.advance(60 * 60_000);
    const done = await pollUntil(
      async () => {
        const [current] = await listMigrations(test.roost, local, { slug });
        return current && current.state !== 'running' && current.state !== 'queued' ? current : undefined;
      },
      300_000,
      'the resumed migration',
    );
    assert.equal(done.state, 'succeeded', done.error ?? '');
    assert.deepEqual(
      done.steps.map((step) => step.step),
      [...migrationSteps],
      'each step ran to completion once',
    );
    t.diagnostic(`resumed: ${done.steps.map((step) => `${step.step} ${step.ms} ms`).join(', ')}`);
    const moved = (await getInstance(apiDepsOf(test.roost), local, { slug })).instance;
    assert.equal(moved.runtime, 'swarm');
    assert.equal(await psql('select count(*) from notes'), '500');
    assert.equal(await test.roost.drivers.local.inspect(slug), undefined);
    const [address] = (done.endpoint as string).split(':');
    assert.deepEqual((bind as TestBind).query(`${slug}.${(bind as TestBind).zone}`, 'A'), [address]);
    const job = await test.roost.jobs.list({ queue: 'instance.migrate' });
    assert.equal(job[0]?.attempts, 2);
  });
});
