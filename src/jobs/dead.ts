import type { LeaseContext } from './lease.ts';
import { type JobRow, toJobRecord } from './record.ts';
import type { JobRecord } from './types.ts';

/** Dead jobs of these queues not yet handed to their dead handler, oldest death first; `skip`: ids to leave. */
export async function unhandledDeadJobs(
  context: Pick<LeaseContext, 'store'>,
  queues: readonly string[],
  skip: readonly string[],
  limit: number,
): Promise<JobRecord[]> {
  if (queues.length === 0) return [];
  const rows = await context.store.db
    .selectFrom('jobs')
    .selectAll()
    .where('state', '=', 'dead')
    .where('queue', 'in', queues)
    .where('dead_handled_at', 'is', null)
    .$if(skip.length > 0, (query) => query.where('id', 'not in', skip))
    .orderBy('finished_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return (rows as JobRow[]).map(toJobRecord);
}

/** Records that the dead handler ran; not if the job was retried meanwhile (its next death is handled anew). */
export async function markDeadHandled(context: LeaseContext, id: string): Promise<void> {
  const now = context.clock.now().getTime();
  await context.store.db
    .updateTable('jobs')
    .set({ dead_handled_at: now })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .execute();
}

/** Why the work of a dead job ended, in the words its record shows (`work` names it: `backup`, …). */
export function deadJobReason(job: JobRecord, work: string): string {
  return `the ${work} job ${job.id} used up its ${job.attempts} attempt(s) without finishing (last: ${job.lastError ?? 'no error recorded'})`;
}

/** What a queue's dead handler does for work kept in a record of its own (a backup, a restore, …). */
export interface DeadWork<T> {
  /** Names the work in the reason: `the <name> job <id> used up its … attempt(s)`. */
  name: string;
  /** The record the job was carrying out while it is still under way; undefined once it ended or is gone. */
  find(job: JobRecord): Promise<T | undefined>;
  /**
   * Ends it as the work's own last failed attempt ends it (recorded, cleaned up, audited, alerted), with
   * `reason` as its error. Idempotent: a dead handler may run more than once.
   */
  end(record: T, reason: string): Promise<void>;
}

/**
 * The one shape of every dead handler: the record still under way is ended as a failure saying the job
 * used up its attempts; a record that ended meanwhile (or is gone) is left as it is.
 */
export async function endDeadWork<T>(job: JobRecord, work: DeadWork<T>): Promise<void> {
  const record = await work.find(job);
  if (record !== undefined) await work.end(record, deadJobReason(job, work.name));
}
