import { describeError, RoostError } from '../core/errors.ts';
import { createCompletionBatcher } from './completions.ts';
import { claimJobs } from './lease.ts';
import { type RunContext, runJob } from './run.ts';
import type { JobHandler, JobRecord } from './types.ts';

export interface WorkerContext extends RunContext {
  /** A claim token unique in the whole system (`<workerId>#<n>`), stored as `lease_owner`. */
  nextOwner(): string;
}

export interface Worker {
  start(): void;
  /** Look for jobs now instead of at the next poll. */
  wake(): void;
  /** Stops claiming, waits for running handlers up to `timeoutMs`, then aborts their signals. */
  stop(timeoutMs: number): Promise<void>;
}

interface Run {
  controller: AbortController;
  done: Promise<void>;
}

/** One queue's claim loop: claims as many due jobs as it has free slots, in one statement, then sleeps. */
export function createWorker(
  context: WorkerContext,
  queue: string,
  handler: JobHandler,
  options: { concurrency: number; pollIntervalMs: number },
): Worker {
  // One entry per run, not per job: a job this worker claims again while its own earlier run of it is
  // still stuck (its lease expired and was taken over) runs twice here, and both runs take a slot, end
  // their own entry and are aborted by stop().
  const running = new Set<Run>();
  let loop: Promise<void> | undefined;
  let stopping = false;
  let woken = false;
  let interrupt: (() => void) | undefined;
  // Whether the last claim filled every slot, so a finishing job should look for more at once.
  let saturated = false;
  let wakePending = false;
  const complete = createCompletionBatcher(context);

  // The look happens on the next event-loop turn, so a burst of enqueues is claimed in one statement.
  const wake = (): void => {
    woken = true;
    if (wakePending) return;
    wakePending = true;
    setImmediate(() => {
      wakePending = false;
      interrupt?.();
    });
  };

  const sleep = (milliseconds: number): Promise<void> => {
    // Consume the wake-up, so one wake-up causes one more look, never a loop without a timer.
    if (woken || stopping) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => interrupt?.(), milliseconds);
      interrupt = () => {
        clearTimeout(timer);
        interrupt = undefined;
        resolve();
      };
    });
  };

  const claimLoop = async (): Promise<void> => {
    while (!stopping) {
      const free = options.concurrency - running.size;
      if (free > 0) {
        woken = false;
        try {
          const claimed = await claimJobs(context, queue, context.nextOwner(), free);
          saturated = claimed.length === free;
          for (const job of claimed) launch(job);
          if (saturated) continue;
        } catch (error) {
          context.logger?.warn({ queue, error: describeError(error) }, 'job claim failed');
        }
      }
      await sleep(options.pollIntervalMs);
    }
  };

  const launch = (job: JobRecord): void => {
    const controller = new AbortController();
    const run: Run = {
      controller,
      done: runJob(context, complete, handler, job, controller).finally(() => {
        running.delete(run);
        if (saturated) wake();
      }),
    };
    running.add(run);
  };

  return {
    start: () => {
      stopping = false;
      loop ??= claimLoop().finally(() => {
        loop = undefined;
      });
    },
    wake,
    stop: async (timeoutMs) => {
      stopping = true;
      interrupt?.();
      await loop;
      const runs = [...running];
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(runs.map((run) => run.done)).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (finished) return;
      for (const run of runs) run.controller.abort(new RoostError('unavailable', 'the worker is stopping'));
    },
  };
}
