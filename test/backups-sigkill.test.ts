// A backup killed with SIGKILL in the middle of its upload: nothing partial counts, the job is taken
// over after its lease, the next attempt succeeds and no `.partial` file is left behind.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localActor } from '../src/auth/index.ts';
import { listBackups, registerBackupJobs, verifyBackupFiles } from '../src/backups/index.ts';
import { createInstance, getInstance, registerInstanceJobs } from '../src/instances/index.ts';
import { apiDepsOf } from '../src/main.ts';
import { pollUntil, spawnCli } from './fixtures/cli.ts';
import { startTestRoost, type TestRoost } from './fixtures/roost.ts';

const slug = `kill-${Math.random().toString(36).slice(2, 8)}`;

function partialFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.partial'),
  );
}

describe('a backup killed during its upload', () => {
  let test: TestRoost;

  before(async () => {
    test = await startTestRoost({ ROOST_JOBS_LEASE_SECONDS: '5' });
    chmodSync(test.directory, 0o711);
    const deps = { ...apiDepsOf(test.roost), lifecycle: test.roost.lifecycle };
    registerInstanceJobs(deps);
    test.roost.jobs.start();
    const { operation } = await createInstance(deps, localActor(test.roost.clock), {
      slug,
      customer: 'Acme',
      environment: 'staging',
    });
    await pollUntil(
      async () => {
        const op = (await getInstance(deps, localActor(test.roost.clock), { slug })).operations.find(
          (candidate) => candidate.id === operation.id,
        );
        if (op?.state === 'failed') throw new Error(`provisioning failed: ${op.error}`);
        return op?.state === 'succeeded' ? true : undefined;
      },
      120_000,
      'provisioning',
    );
    // About 100 MB of poorly compressible rows: the upload lasts long enough to be interrupted.
    const filled = await test.roost.runtime.exec(
      slug,
      'db',
      [
        'psql',
        '-X',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        "create table blobs as select g.id, (select string_agg(md5(random()::text || g.id || s.i), '') from generate_series(1, 32) as s(i)) as body from generate_series(1, 100000) as g(id)",
      ],
      { timeoutMs: 300_000 },
    );
    assert.equal(filled.code, 0, filled.stderr);
  });

  after(async () => {
    if (test) {
      await test.roost.runtime.remove(slug).catch(() => {});
      await test.close();
    }
  });

  it('lists nothing partial as good, and the retried job succeeds without leftovers', async () => {
    const backupRoot = path.join(test.directory, 'backups');
    const child = spawnCli(['backup', 'run', slug], {
      cwd: test.directory,
      env: { ROOST_DATA_DIR: test.directory },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await pollUntil(
        async () => (partialFiles(backupRoot).length > 0 ? true : undefined),
        120_000,
        'an upload under way',
      );
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const local = localActor(test.roost.clock);
    const [interrupted] = await listBackups(test.roost.backups, local, { slug });
    assert.ok(interrupted);
    assert.equal(interrupted.state, 'running', 'the killed backup is not counted as good');
    assert.ok(partialFiles(backupRoot).length > 0, 'the kill left a partial file');

    // This process takes the job over once its lease has expired, starting the folder again.
    registerBackupJobs(test.roost.backups);
    test.clock.advance(60_000);
    await test.roost.jobs.tick();
    // The expired job is queued again after a backoff delay, on this process's manual clock.
    test.clock.advance(60 * 60_000);
    const done = await pollUntil(
      async () => {
        const [current] = await listBackups(test.roost.backups, local, { slug });
        if (current?.state === 'failed') throw new Error(`backup failed: ${current.error}`);
        return current?.state === 'succeeded' ? current : undefined;
      },
      90_000,
      'the retried backup',
    );
    assert.equal(done.id, interrupted.id);
    assert.deepEqual(partialFiles(backupRoot), []);
    assert.ok(done.manifest);
    assert.equal(done.manifest.rowCounts['public.blobs'], 100_000);
    await verifyBackupFiles(test.roost.backups.target, done.manifest);
    const job = await test.roost.jobs.get(done.jobId as string);
    assert.equal(job?.attempts, 2);
  });
});
