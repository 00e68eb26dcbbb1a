import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger, gate, stopping, waitFor } from '../../test/fixtures/jobs.ts';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { ManualClock } from '../core/clock.ts';
import { openStore } from '../store/index.ts';
import { createJobs } from './index.ts';
import type { JobHandler, JobOutcome, JobRecord, Jobs } from './types.ts';

const base = { timeZone: 'Europe/Paris', leaseSeconds: 30, tickIntervalMs: 60_000 };

describeEachDialect('jobs', (use) => {
  test('enqueue is idempotent by key', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const jobs = createJobs({ store: opened.store }, base);
    const first = await jobs.enqueue({ queue: 'mail', key: 'welcome:usr_1', payload: { to: 'a' } });
    const again = await jobs.enqueue({ queue: 'mail', key: 'welcome:usr_1', payload: { to: 'b' } });
    assert.equal(first.created, true);
    assert.deepEqual(again, { id: first.id, created: false });
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => jobs.enqueue({ queue: 'mail', key: 'digest:2026-06-01' })),
    );
    assert.equal(racing.filter((job) => job.created).length, 1);
    assert.equal(new Set(racing.map((job) => job.id)).size, 1);
    const plain = [await jobs.enqueue({ queue: 'mail' }), await jobs.enqueue({ queue: 'mail' })];
    assert.notEqual(plain[0]?.id, plain[1]?.id);
    const listed = await jobs.list({ queue: 'mail' });
    assert.equal(listed.length, 4);
    assert.deepEqual((await jobs.get(first.id))?.payload, { to: 'a' });
    assert.deepEqual(await jobs.depth(), [{ queue: 'mail', state: 'queued', count: 4 }]);
    await assert.rejects(jobs.enqueue({ queue: 'bad queue' }), { code: 'invalid_input' });
    await assert.rejects(jobs.enqueue({ queue: 'mail', maxAttempts: 0 }), { code: 'invalid_input' });
  });

  test('enqueue can share the transaction of the change that causes it', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const jobs = createJobs({ store: opened.store }, base);
    await assert.rejects(
      opened.store.db.transaction().execute(async (transaction) => {
        await jobs.enqueue({ queue: 'mail', key: 'rolled-back' }, { db: transaction });
        throw new Error('the state change failed');
      }),
      /the state change failed/,
    );
    const committed = await opened.store.db
      .transaction()
      .execute((transaction) => jobs.enqueue({ queue: 'mail', key: 'committed' }, { db: transaction }));
    assert.deepEqual(
      (await jobs.list()).map((job) => job.key),
      ['committed'],
    );
    assert.equal((await jobs.get(committed.id))?.state, 'queued');
  });

  test('workers of two processes competing for one queue run each job once', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const other = await openStore({ databaseUrl: opened.url, dataDir: opened.directory });
    t.after(() => other.close());
    const runs = new Map<string, number>();
    const handler = async (job: JobRecord) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await new Promise((resolve) => setImmediate(resolve));
    };
    await using first = stopping(createJobs({ store: opened.store }, { ...base, workerId: 'one' }));
    await using second = stopping(createJobs({ store: other }, { ...base, workerId: 'two' }));
    for (const jobs of [first, second]) jobs.work('shared', handler, { concurrency: 4, pollIntervalMs: 5 });
    first.start();
    second.start();
    const ids: string[] = [];
    for (let n = 0; n < 200; n++) ids.push((await (n % 2 ? first : second).enqueue({ queue: 'shared' })).id);
    await waitFor(
      () => first.list({ queue: 'shared', state: 'succeeded', limit: 1_000 }),
      (done) => done.length === ids.length,
      { what: 'every job to succeed' },
    );
    assert.deepEqual(
      ids.filter((id) => runs.get(id) !== 1),
      [],
    );
    const attempts = new Set(
      (await first.list({ queue: 'shared', limit: 1_000 })).map((job) => job.attempts),
    );
    assert.deepEqual([...attempts], [1]);
  });

  test('a failing job is retried with backoff, goes dead after max attempts, and retry() requeues it', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    const outcomes: JobOutcome[] = [];
    const observer = { jobFinished: (_queue: string, outcome: JobOutcome) => outcomes.push(outcome) };
    await using jobs = stopping(
      createJobs(
        { store: opened.store, clock, observer, random: () => 1 },
        { ...base, backoff: { baseMs: 1_000, maxMs: 60_000 } },
      ),
    );
    let failing = true;
    jobs.work(
      'flaky',
      async (job) => {
        if (failing) throw new Error(`boom on attempt ${job.attempts}`);
        return { ok: true };
      },
      { pollIntervalMs: 5 },
    );
    const { id } = await jobs.enqueue({ queue: 'flaky', maxAttempts: 3 });
    jobs.start();
    const read = () => jobs.get(id) as Promise<JobRecord>;

    for (const [attempt, delay] of [
      [1, 1_000],
      [2, 2_000],
    ] as const) {
      const job = await waitFor(read, (j) => j.state === 'queued' && j.attempts === attempt);
      assert.equal(job.runAt.getTime(), clock.now().getTime() + delay, `delay after attempt ${attempt}`);
      assert.equal(job.lastError, `boom on attempt ${attempt}`);
      clock.advance(delay);
    }
    const dead = await waitFor(read, (j) => j.state === 'dead');
    assert.equal(dead.attempts, 3);
    assert.equal(dead.lastError, 'boom on attempt 3');
    assert.deepEqual(dead.finishedAt, clock.now());
    assert.deepEqual(
      (await jobs.list({ state: 'dead' })).map((job) => job.id),
      [id],
    );
    assert.deepEqual(await jobs.depth(), [{ queue: 'flaky', state: 'dead', count: 1 }]);
    assert.deepEqual(outcomes, ['retried', 'retried', 'dead']);

    failing = false;
    await jobs.retry(id);
    const done = await waitFor(read, (j) => j.state === 'succeeded');
    assert.equal(done.attempts, 1);
    assert.deepEqual(done.result, { ok: true });
    assert.deepEqual(outcomes.at(-1), 'succeeded');
    await assert.rejects(jobs.retry(id), { code: 'conflict' });
    await assert.rejects(jobs.retry('job_unknown'), { code: 'not_found' });
  });

  test('an expired lease lets another worker take the job, and the first can no longer complete it', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    const captured = captureLogger();
    await using first = stopping(
      createJobs({ store: opened.store, clock, logger: captured.logger }, { ...base, workerId: 'worker-a' }),
    );
    await using second = stopping(
      createJobs({ store: opened.store, clock }, { ...base, workerId: 'worker-b' }),
    );
    const releaseFirst = gate();
    const releaseSecond = gate();
    let firstSignal: AbortSignal | undefined;
    let firstHeartbeat: unknown;
    first.work(
      'reports',
      async (_job, context) => {
        firstSignal = context.signal;
        await releaseFirst.promise;
        firstHeartbeat = await context.heartbeat().catch((error: unknown) => error);
        return 'from a';
      },
      { pollIntervalMs: 5 },
    );
    second.work(
      'reports',
      async () => {
        await releaseSecond.promise;
        return 'from b';
      },
      { pollIntervalMs: 5 },
    );
    const { id } = await first.enqueue({ queue: 'reports' });
    const read = () => first.get(id) as Promise<JobRecord>;
    first.start();
    const held = await waitFor(read, (j) => j.state === 'running');
    assert.match(held.leaseOwner ?? '', /^worker-a#\d+$/);
    assert.deepEqual(held.leaseUntil, new Date(clock.now().getTime() + 30_000));

    assert.deepEqual(await second.tick(), { scheduled: 0, expired: 0, dead: 0 }, 'a live lease is not taken');
    clock.advance(30_001);
    assert.deepEqual(await second.tick(), { scheduled: 0, expired: 1, dead: 0 });
    const requeued = await read();
    assert.equal(requeued.state, 'queued');
    assert.match(requeued.lastError ?? '', /^lease expired \(held by worker-a#\d+\)$/);

    second.start();
    const taken = await waitFor(read, (j) => j.state === 'running');
    assert.match(taken.leaseOwner ?? '', /^worker-b#\d+$/);
    assert.equal(taken.attempts, 2);

    releaseFirst.open();
    const line = await waitFor(
      () => captured.lines.find((entry) => entry.jobId === id && entry.msg === 'job finished'),
      (entry) => entry !== undefined,
    );
    assert.equal(line?.outcome, 'lease_lost');
    assert.equal(firstSignal?.aborted, true);
    assert.equal((firstHeartbeat as { code?: string }).code, 'conflict');
    assert.equal((await read()).leaseOwner, taken.leaseOwner, 'the first worker did not complete it');

    releaseSecond.open();
    const done = await waitFor(read, (j) => j.state === 'succeeded');
    assert.equal(done.result, 'from b');
    assert.equal(done.attempts, 2);
  });

  test('a job whose worker dies at every attempt is handed once to the dead handler of a process working its queue', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    const captured = captureLogger();
    // The process that works the queue and knows what a dead export means; here it only ticks.
    const handed: JobRecord[] = [];
    const keeper = createJobs({ store: opened.store, clock, logger: captured.logger }, base);
    keeper.work('exports', async () => assert.fail('the keeper never runs the job here'), {
      onDead: async (job) => {
        handed.push(job);
      },
    });
    const { id } = await keeper.enqueue({ queue: 'exports', maxAttempts: 2 });
    const read = () => keeper.get(id) as Promise<JobRecord>;
    /** A worker process that takes the next attempt and dies with it: the attempt never ends. */
    const dyingWorker = async (attempt: number) => {
      const worker = createJobs(
        { store: opened.store, clock },
        { ...base, leaseSeconds: 600, workerId: `doomed-${attempt}`, stopTimeoutMs: 10 },
      );
      worker.work(
        'exports',
        async (_job, { signal }) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          throw signal.reason;
        },
        { pollIntervalMs: 5 },
      );
      worker.start();
      await waitFor(read, (j) => j.state === 'running' && j.attempts === attempt);
      return worker;
    };

    const first = await dyingWorker(1);
    clock.advance(600_001);
    assert.deepEqual(await keeper.tick(), { scheduled: 0, expired: 1, dead: 0 }, 'back in the queue');
    await first.stop(); // what is left of the dead process: its late failure is fenced off
    const second = await dyingWorker(2);
    clock.advance(600_001);
    // A process without a dead handler for the queue (the dying one's own ticker) finds the job dead.
    assert.deepEqual(await second.tick(), { scheduled: 0, expired: 1, dead: 0 });
    await second.stop();
    assert.equal((await read()).state, 'dead');
    assert.equal(handed.length, 0);

    assert.deepEqual(await keeper.tick(), { scheduled: 0, expired: 0, dead: 1 });
    assert.equal(handed.length, 1);
    assert.equal(handed[0]?.id, id);
    assert.equal(handed[0]?.attempts, 2);
    assert.match(handed[0]?.lastError ?? '', /^lease expired \(held by doomed-2#\d+\)$/);
    assert.deepEqual(await keeper.tick(), { scheduled: 0, expired: 0, dead: 0 }, 'handed once');
    const line = captured.lines.find((entry) => entry.msg === 'dead job handled');
    assert.deepEqual(
      { queue: line?.queue, jobId: line?.jobId, attempts: line?.attempts },
      { queue: 'exports', jobId: id, attempts: 2 },
    );
  });

  test('a job whose handler fails every attempt is handed to the dead handler, again after a retry; a failing dead handler is tried later', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    const captured = captureLogger();
    await using jobs = stopping(
      createJobs({ store: opened.store, clock, logger: captured.logger, random: () => 1 }, base),
    );
    const handed: string[] = [];
    let refuse = true;
    jobs.work(
      'imports',
      async () => {
        throw new Error('the file is unreadable');
      },
      {
        pollIntervalMs: 5,
        onDead: async (job) => {
          if (refuse) throw new Error('the record store is away');
          handed.push(`${job.id}: ${job.lastError}`);
        },
      },
    );
    const { id } = await jobs.enqueue({ queue: 'imports', maxAttempts: 1 });
    const read = () => jobs.get(id) as Promise<JobRecord>;
    jobs.start();
    await waitFor(read, (j) => j.state === 'dead');

    assert.equal((await jobs.tick()).dead, 0);
    const failed = captured.lines.find((entry) => entry.msg === 'dead job handler failed');
    assert.equal(failed?.handlerError, 'the record store is away');
    refuse = false;
    assert.equal((await jobs.tick()).dead, 0, 'not before its retry delay (1 s)');
    clock.advance(1_000);
    assert.equal((await jobs.tick()).dead, 1);
    assert.deepEqual(handed, [`${id}: the file is unreadable`]);

    await jobs.retry(id);
    await waitFor(read, (j) => j.state === 'dead' && j.attempts === 1 && j.finishedAt !== null);
    assert.equal((await jobs.tick()).dead, 1, 'its next death is handed too');
    assert.equal(handed.length, 2);
  });

  test("a job claimed again while the same worker's earlier run of it is stuck: both runs take a slot and stop() aborts both", async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    // A lease far longer than the test: no heartbeat runs, so the first run never learns that it lost the job.
    const jobs = createJobs(
      { store: opened.store, clock },
      { ...base, leaseSeconds: 600, stopTimeoutMs: 10 },
    );
    let active = 0;
    let most = 0;
    const aborted: number[] = [];
    await claimAgainBesideStuckRun(jobs, clock, async (job, { signal }) => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      active -= 1;
      aborted.push(job.attempts);
      throw signal.reason;
    });
    // Both slots are taken (the stuck run and its successor): a job due now waits.
    const waiting = await jobs.enqueue({ queue: 'exports' });
    await jobs.stop();
    await waitFor(
      () => aborted,
      (runs) => runs.length === 2,
      { what: 'both runs to be aborted' },
    );
    assert.deepEqual(aborted.sort(), [1, 2]);
    assert.equal(most, 2, 'never more runs than the concurrency');
    assert.equal((await jobs.get(waiting.id))?.state, 'queued');
  });

  test('a stuck run and the run that took its job over, finishing together, complete the job once: the latter', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    await using jobs = stopping(createJobs({ store: opened.store, clock }, { ...base, leaseSeconds: 600 }));
    const release = gate();
    let entered = 0;
    const read = await claimAgainBesideStuckRun(jobs, clock, async (job) => {
      entered += 1;
      await release.promise;
      return `run ${job.attempts}`;
    });
    await waitFor(
      () => entered,
      (count) => count === 2,
      { what: 'the second run to start' },
    );
    release.open(); // both handlers return in the same event-loop turn
    const done = await waitFor(read, (j) => j.state === 'succeeded');
    assert.equal(done.result, 'run 2');
    assert.equal(done.attempts, 2);
  });

  test('an enqueue wakes an idle local worker at once and each run logs one line', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const captured = captureLogger();
    await using jobs = stopping(createJobs({ store: opened.store, logger: captured.logger }, base));
    jobs.work('instant', async (job) => job.payload, { pollIntervalMs: 600_000 });
    jobs.start();
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const { id } = await jobs.enqueue({ queue: 'instant', payload: n });
      ids.push(id);
      const done = await waitFor(
        () => jobs.get(id) as Promise<JobRecord>,
        (j) => j.state === 'succeeded',
        { timeoutMs: 5_000 },
      );
      assert.equal(done.result, n);
    }
    // The line is written once the completion is recorded, so it may come a moment after the state is seen.
    const finished = await waitFor(
      () => captured.lines.filter((line) => line.msg === 'job finished'),
      (lines) => lines.length >= ids.length,
      { timeoutMs: 5_000, what: 'a "job finished" line per run' },
    );
    assert.deepEqual(
      finished.map(({ queue, jobId, attempt, outcome }) => ({ queue, jobId, attempt, outcome })),
      ids.map((jobId) => ({ queue: 'instant', jobId, attempt: 1, outcome: 'succeeded' })),
    );
    assert.equal(typeof finished[0]?.durationMs, 'number');
  });

  test('stop() waits for a running handler to finish', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const jobs = createJobs({ store: opened.store }, base);
    const release = gate();
    jobs.work('slow', async () => {
      await release.promise;
      return 'finished';
    });
    const { id } = await jobs.enqueue({ queue: 'slow' });
    jobs.start();
    await waitFor(
      () => jobs.get(id) as Promise<JobRecord>,
      (j) => j.state === 'running',
    );
    // A wake-up while every slot is busy must not spin the claim loop (it once starved the event loop).
    const waiting = await jobs.enqueue({ queue: 'slow' });
    assert.equal((await jobs.get(waiting.id))?.state, 'queued');
    let stopped = false;
    const stopping = jobs.stop().then(() => {
      stopped = true;
    });
    assert.equal((await jobs.get(id))?.state, 'running');
    assert.equal(stopped, false);
    release.open();
    await stopping;
    assert.equal((await jobs.get(id))?.state, 'succeeded');
    assert.equal((await jobs.get(waiting.id))?.state, 'queued', 'a stopped worker claims nothing more');
  });
});

/**
 * Works `exports` two at a time with `handler` and runs one job until its first run's lease expires, then
 * until this worker claimed it again beside its own first run, still in the handler; returns how to read it.
 */
async function claimAgainBesideStuckRun(
  jobs: Jobs,
  clock: ManualClock,
  handler: JobHandler,
): Promise<() => Promise<JobRecord>> {
  jobs.work('exports', handler, { concurrency: 2, pollIntervalMs: 5 });
  const { id } = await jobs.enqueue({ queue: 'exports' });
  const read = () => jobs.get(id) as Promise<JobRecord>;
  jobs.start();
  await waitFor(read, (j) => j.state === 'running' && j.attempts === 1);
  clock.advance(600_001);
  assert.equal((await jobs.tick()).expired, 1);
  await waitFor(read, (j) => j.state === 'running' && j.attempts === 2);
  return read;
}
