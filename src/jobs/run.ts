import type { Logger } from 'pino';
import { describeError, RoostError } from '../core/errors.ts';
import { type BackoffPolicy, retryDelayMs } from './backoff.ts';
import { extendLease, failJob, type Lease, type LeaseContext } from './lease.ts';
import { toJson } from './record.ts';
import type { JobHandler, JobObserver, JobOutcome, JobRecord } from './types.ts';

export interface RunContext extends LeaseContext {
  backoff: BackoffPolicy;
  random: () => number;
  logger: Logger | undefined;
  observer: JobObserver | undefined;
}

/**
 * Runs one claimed job: heartbeats every leaseSeconds/3 while the handler runs, then records the outcome
 * fenced by the lease (a worker whose lease was taken cannot complete or fail the job), logs one line and
 * tells the observer. The signal is aborted when the lease is lost.
 */
export async function runJob(
  context: RunContext,
  complete: (completion: { lease: Lease; result: string }) => Promise<boolean>,
  handler: JobHandler,
  job: JobRecord,
  controller: AbortController,
): Promise<void> {
  const { queue } = job;
  const lease: Lease = { jobId: job.id, owner: job.leaseOwner ?? '' };
  const lost = new RoostError('conflict', `job ${job.id}: lease lost to another worker`);
  let leaseUntil = job.leaseUntil?.getTime() ?? 0;
  const heartbeat = async (): Promise<void> => {
    if (controller.signal.aborted) throw controller.signal.reason;
    const now = context.clock.now().getTime();
    if (!(await extendLease(context, lease))) {
      controller.abort(lost);
      throw lost;
    }
    leaseUntil = now + context.leaseMs;
  };
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => {
      if (controller.signal.aborted) return;
      context.logger?.warn({ queue, jobId: job.id, error: describeError(error) }, 'job heartbeat failed');
      // Past our own lease deadline another worker may have the job: stop work we can no longer finish.
      if (context.clock.now().getTime() > leaseUntil)
        controller.abort(
          new RoostError('unavailable', `job ${job.id}: lease expired before a heartbeat succeeded`),
        );
    });
  }, context.leaseMs / 3);
  const started = performance.now();
  let outcome: JobOutcome | 'lease_lost' | 'unknown';
  let error: string | undefined;
  try {
    try {
      const result = await handler(job, { signal: controller.signal, heartbeat });
      clearInterval(timer);
      outcome = (await complete({ lease, result: toJson(result) })) ? 'succeeded' : 'lease_lost';
    } catch (failure) {
      clearInterval(timer);
      error = describeError(failure);
      const dead = job.attempts >= job.maxAttempts;
      const retryAt = dead
        ? null
        : new Date(
            context.clock.now().getTime() + retryDelayMs(job.attempts, context.backoff, context.random),
          );
      const recorded = await failJob(context, lease, error, retryAt);
      outcome = !recorded ? 'lease_lost' : dead ? 'dead' : 'retried';
    }
  } catch (storeError) {
    // The outcome could not be written; the lease will expire and the job run again.
    outcome = 'unknown';
    error = `${error ? `${error}; ` : ''}recording the outcome failed: ${describeError(storeError)}`;
  } finally {
    clearInterval(timer);
  }
  const durationMs = Math.round(performance.now() - started);
  const line = { queue, jobId: job.id, attempt: job.attempts, outcome, durationMs, ...(error && { error }) };
  if (outcome === 'succeeded') context.logger?.info(line, 'job finished');
  else if (outcome === 'dead' || outcome === 'unknown') context.logger?.error(line, 'job finished');
  else context.logger?.warn(line, 'job finished');
  if (outcome === 'succeeded' || outcome === 'retried' || outcome === 'dead')
    context.observer?.jobFinished(queue, outcome, durationMs / 1_000);
}
