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
