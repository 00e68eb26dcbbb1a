import { isRoostError, RoostError } from '../core/errors.ts';
import type { Roost } from '../main.ts';
import type { Output } from './output.ts';

/**
 * Reads a record until it has ended, printing its progress line whenever it changes; after
 * `timeoutSeconds`, an `unavailable` error with `stillRunning(record)` (the work itself goes on).
 */
export async function followUntilEnded<T>(
  output: Output,
  timeoutSeconds: number,
  watch: {
    read(): Promise<T>;
    line(record: T): string;
    ended(record: T): boolean;
    stillRunning(record: T): string;
    intervalMs?: number;
  },
): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const record = await watch.read();
    const line = watch.line(record);
    if (line !== last) output.info(line);
    last = line;
    if (watch.ended(record)) return record;
    if (Date.now() > deadline) throw new RoostError('unavailable', watch.stillRunning(record));
    await new Promise((resolve) => setTimeout(resolve, watch.intervalMs ?? 500));
  }
}

/**
 * On the server (no API client) nothing else may run the jobs a command waits for: register their queues
 * in this process and start the workers (a `roost serve` on the same data may take a job first: leases
 * keep one runner). A queue that already has its handler here is left as it is.
 */
export function runJobsHere(roost: Roost | undefined, registrations: Array<(roost: Roost) => void>): void {
  if (!roost) return;
  for (const register of registrations) {
    try {
      register(roost);
    } catch (error) {
      if (!isRoostError(error, 'conflict')) throw error;
    }
  }
  roost.jobs.start();
}
