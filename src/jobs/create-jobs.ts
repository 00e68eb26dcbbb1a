import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock } from '../core/clock.ts';
import { describeError, RoostError } from '../core/errors.ts';
import { defaultBackoff, retryDelayMs } from './backoff.ts';
import { type CronContext, enqueueDueSchedules, parseCron, upsertSchedule } from './cron.ts';
import { markDeadHandled, unhandledDeadJobs } from './dead.ts';
import { expireLeases } from './lease.ts';
import { enqueueJob, getJob, jobDepth, listJobs, retryJob } from './queue.ts';
import type { DeadJobHandler, Jobs, JobsDependencies, JobsOptions, TickReport } from './types.ts';
import { createWorker, type Worker, type WorkerContext } from './worker.ts';

/** The Jobs port on the state store: one implementation for SQLite and PostgreSQL. */
export function createJobs(deps: JobsDependencies, options: JobsOptions): Jobs {
  parseCron('* * * * *', options.timeZone);
  if (!(options.leaseSeconds > 0))
    throw new RoostError('invalid_input', `invalid leaseSeconds ${options.leaseSeconds}: expected > 0`);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let claims = 0;
  const cron: CronContext = {
    db: deps.store.db,
    clock,
    defaultMaxAttempts: options.maxAttempts ?? 5,
    timeZone: options.timeZone,
    logger,
  };
  const workerContext: WorkerContext = {
    store: deps.store,
    clock,
    leaseMs: options.leaseSeconds * 1_000,
    nextOwner: () => `${workerId}#${++claims}`,
    backoff: { ...defaultBackoff, ...options.backoff },
    random: deps.random ?? Math.random,
    logger,
    observer: deps.observer,
  };
  const tickIntervalMs = options.tickIntervalMs ?? 1_000;
  const workers = new Map<string, Worker>();
  const deadHandlers = new Map<string, DeadJobHandler>();
  // Dead handlers that failed here wait before the next try, so one that keeps failing does not run every tick.
  const deadRetries = new Map<string, { failures: number; notBefore: number }>();
  let started = false;
  let ticker: NodeJS.Timeout | undefined;
  let ticking: Promise<unknown> | undefined;

  const wake = (queue: string): void => workers.get(queue)?.wake();

  /** Hands dead jobs of the queues worked here to their dead handler, a few per tick. */
  const handleDead = async (): Promise<number> => {
    if (deadHandlers.size === 0) return 0;
    const now = clock.now().getTime();
    const waiting = [...deadRetries].filter(([, retry]) => retry.notBefore > now).map(([id]) => id);
    const dead = await unhandledDeadJobs(workerContext, [...deadHandlers.keys()], waiting, 20);
    let handled = 0;
    for (const job of dead) {
      const line = { queue: job.queue, jobId: job.id, attempts: job.attempts, error: job.lastError };
      try {
        await deadHandlers.get(job.queue)?.(job);
        await markDeadHandled(workerContext, job.id);
        deadRetries.delete(job.id);
        handled += 1;
        logger?.info(line, 'dead job handled');
      } catch (error) {
        const failures = (deadRetries.get(job.id)?.failures ?? 0) + 1;
        const delay = retryDelayMs(failures, workerContext.backoff, workerContext.random);
        deadRetries.set(job.id, { failures, notBefore: clock.now().getTime() + delay });
        logger?.warn({ ...line, failures, handlerError: describeError(error) }, 'dead job handler failed');
      }
    }
    return handled;
  };

  const tick = async (): Promise<TickReport> => {
    const scheduled = await enqueueDueSchedules(cron, wake);
    const expired = await expireLeases(workerContext);
    const now = clock.now().getTime();
    for (const job of expired) {
      const outcome = job.state === 'dead' ? 'dead' : 'retried';
      const seconds = (now - (job.startedAt?.getTime() ?? now)) / 1_000;
      logger?.warn(
        { queue: job.queue, jobId: job.id, attempt: job.attempts, outcome, error: job.lastError },
        'job lease expired',
      );
      deps.observer?.jobFinished(job.queue, outcome, seconds);
      if (outcome === 'retried') wake(job.queue);
    }
    const dead = await handleDead();
    return { scheduled, expired: expired.length, dead };
  };

  const scheduleTick = (): void => {
    ticker = setTimeout(() => {
      ticking = tick()
        .catch((error: unknown) => logger?.warn({ error: describeError(error) }, 'jobs tick failed'))
        .finally(() => {
          ticking = undefined;
          if (started) scheduleTick();
        });
    }, tickIntervalMs);
  };

  return {
    enqueue: async (input, enqueueOptions) => {
      const job = await enqueueJob(cron, input, enqueueOptions?.db);
      if (job.created) wake(input.queue);
      return job;
    },
    get: (id) => getJob(cron, id),
    list: (filter) => listJobs(cron, filter),
    retry: async (id) => {
      await retryJob(cron, id);
      // The queue is not known here without another read; every local worker looks once.
      for (const worker of workers.values()) worker.wake();
    },
    depth: () => jobDepth(cron),
    schedule: (input) => upsertSchedule(cron, input),
    work: (queue, handler, workOptions) => {
      if (workers.has(queue)) throw new RoostError('conflict', `queue ${queue} already has a handler`);
      if (workOptions?.onDead) deadHandlers.set(queue, workOptions.onDead);
      const worker = createWorker(workerContext, queue, handler, {
        concurrency: workOptions?.concurrency ?? 1,
        pollIntervalMs: workOptions?.pollIntervalMs ?? 1_000,
      });
      workers.set(queue, worker);
      if (started) worker.start();
    },
    tick,
    start: () => {
      if (started) return;
      started = true;
      for (const worker of workers.values()) worker.start();
      scheduleTick();
    },
    stop: async () => {
      started = false;
      clearTimeout(ticker);
      await ticking;
      const timeoutMs = options.stopTimeoutMs ?? 30_000;
      await Promise.all([...workers.values()].map((worker) => worker.stop(timeoutMs)));
    },
  };
}
