// Backups of a Docker Swarm instance: pg_dump and pg_restore run in the db service's container through the
// routed runtime's execStream, the rows are counted in the dump's snapshot over an interactive psql session
// in the container, and a restore into a new swarm instance is verified through its published /status.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Actor } from '../src/auth/index.ts';
import { localActor } from '../src/auth/index.ts';
import { type BackupDeps, listBackups, restoreBackup, runBackup } from '../src/backups/index.ts';
import { decommissionInstance, getInstance, type InstanceDeps } from '../src/instances/index.ts';
import { apiDepsOf, type RunningRoost } from '../src/main.ts';
import { createSwarmRuntime } from '../src/runtime/index.ts';
import { createRunningInstance, instancePsql, operationSettled, uniqueSlug } from './fixtures/instances.ts';
import { serveTestRoost, startTestRoost, type TestRoost } from './fixtures/roost.ts';
import { serviceUnavailable } from './fixtures/services.ts';
import { type SwarmNode, swarmNode } from './fixtures/swarm.ts';
import { until } from './fixtures/wait.ts';

const slug = uniqueSlug('bks');
const into = uniqueSlug('bksi');

describe('backups of a swarm instance', { concurrency: false }, () => {
  let node: SwarmNode | { unavailable: string };
  let test: TestRoost;
  let served: RunningRoost;
  let deps: InstanceDeps;
  let backups: BackupDeps;
  let local: Actor;

  function ready(t: TestContext): boolean {
    if ('unavailable' in node) {
      serviceUnavailable(t, 'docker swarm', node.unavailable);
      return false;
    }
    return true;
  }

  const psql = (instance: string, sql: string) => instancePsql(test, instance, sql);

  before(async () => {
    node = await swarmNode();
    if ('unavailable' in node) return;
    test = await startTestRoost({
      ROOST_RUNTIME: 'swarm',
      ROOST_IMAGE_API: node.release.api,
      ROOST_IMAGE_DB: node.release.db,
      ROOST_IMAGE_CACHE: node.release.cache,
    });
    served = await serveTestRoost(test); // runs the converge and backup jobs
    deps = { ...apiDepsOf(test.roost), lifecycle: test.roost.lifecycle };
    backups = test.roost.backups;
    local = localActor(test.roost.clock);
  });

  after(async () => {
    if ('unavailable' in node) return;
    for (const instance of [slug, into])
      await createSwarmRuntime()
        .remove(instance)
        .catch(() => {});
    await served?.stop();
    rmSync(test.directory, { recursive: true, force: true });
  });

  it('backs up through the container and restores in place and into a new swarm instance', {
    timeout: 900_000,
  }, async (t) => {
    if (!ready(t)) return;
    const { instance } = await createRunningInstance(deps, local, {
      slug,
      customer: 'Swarm Co',
      environment: 'staging',
    });
    assert.equal(instance.runtime, 'swarm');
    await psql(
      slug,
      "create table items (id int primary key, name text); insert into items select g, 'item ' || g from generate_series(1, 500) g;",
    );
    const queued = await runBackup(backups, local, { slug });
    const backup = await until(
      `backup ${queued.id}`,
      async () => {
        const found = (await listBackups(backups, local, { slug })).find((b) => b.id === queued.id);
        if (found?.state === 'failed') assert.fail(`backup failed: ${found.error}`);
        return found?.state === 'succeeded' ? found : undefined;
      },
      300_000,
    );
    assert.equal(backup.manifest?.rowCounts['public.items'], 500);

    const report = await restoreBackup(backups, local, { slug, into, backupId: backup.id });
    assert.equal(report.rowCounts.match, true);
    assert.equal(report.status?.ok, true, report.status?.detail ?? 'no status');
    assert.equal((await getInstance(deps, local, { slug: into })).instance.runtime, 'swarm');
    assert.equal(await psql(into, 'select count(*) from items'), '500');

    await psql(slug, 'delete from items where id > 5');
    const inPlace = await restoreBackup(backups, local, { slug, confirm: slug, backupId: backup.id });
    assert.equal(inPlace.rowCounts.match, true);
    assert.equal(inPlace.status?.ok, true, inPlace.status?.detail ?? 'no status');
    assert.ok(inPlace.safetyBackupId);
    assert.equal(await psql(slug, 'select count(*) from items'), '500');

    for (const name of [into, slug]) {
      const { operation } = await decommissionInstance(deps, local, { slug: name });
      await operationSettled(deps, local, name, operation.id, 300_000);
    }
  });
});
