import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createJobs, type JobRecord } from '../src/jobs/index.ts';
import { waitFor } from './fixtures/jobs.ts';
import { describeEachDialect } from './fixtures/store.ts';

const workerScript = path.join(import.meta.dirname, 'fixtures', 'job-worker.ts');
const leaseSeconds = 2;

describeEachDialect('jobs survive SIGKILL', (use) => {
  test('a job whose worker is killed runs again after its lease expires, exactly once', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { store, url, directory } = opened;
    const jobs = createJobs(
      { store },
      { timeZone: 'Europe/Paris', leaseSeconds, workerId: 'survivor', tickIntervalMs: 100 },
    );
    const { id } = await jobs.enqueue({ queue: 'sigkill', payload: { customer: 'acme' }, maxAttempts: 3 });
    const read = () => jobs.get(id) as Promise<JobRecord>;

    const child = spawn(process.execPath, [workerScript, url, directory, String(leaseSeconds)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let childErrors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      childErrors += chunk.toString();
    });
    const exited = once(child, 'exit');
    t.after(() => child.kill('SIGKILL'));
    const startedFiles = () => readdirSync(directory).filter((file) => file.startsWith(`started-${id}-`));
    await waitFor(startedFiles, (files) => files.length === 1, {
      timeoutMs: 15_000,
      what: `the child to start (${childErrors})`,
    });
    const claimed = await read();
    assert.equal(claimed.state, 'running');
    assert.equal(claimed.leaseOwner?.startsWith(`child-${child.pid}#`), true);
    // While the child lives its heartbeats push the lease forward (every leaseSeconds/3).
    const extended = await waitFor(
      read,
      (job) => (job.leaseUntil?.getTime() ?? 0) > (claimed.leaseUntil?.getTime() ?? 0),
      {
        timeoutMs: 5_000,
        what: 'a heartbeat',
      },
    );

    child.kill('SIGKILL');
    await exited;
    const orphaned = await read();
    assert.equal(orphaned.state, 'running', 'a killed worker leaves its job leased');
    const leaseUntil = orphaned.leaseUntil?.getTime() ?? 0;
    assert.ok(leaseUntil >= (extended.leaseUntil?.getTime() ?? 0));

    const completions: { attempt: number; at: number }[] = [];
    jobs.work(
      'sigkill',
      async (job) => {
        completions.push({ attempt: job.attempts, at: Date.now() });
        return 'done';
      },
      { pollIntervalMs: 50 },
    );
    jobs.start();
    const done = await waitFor(read, (job) => job.state === 'succeeded', {
      timeoutMs: 15_000,
      what: 'the retry',
    });
    await jobs.stop();

    assert.equal(done.attempts, 2);
    assert.equal(done.result, 'done');
    assert.deepEqual(
      completions.map((completion) => completion.attempt),
      [2],
      'exactly one completion',
    );
    assert.ok(
      (done.startedAt?.getTime() ?? 0) >= leaseUntil,
      'the second run began only after the lease expired',
    );
    assert.deepEqual(startedFiles(), [`started-${id}-1`], 'the killed child ran only the first attempt');
  });
});
