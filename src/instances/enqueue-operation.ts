import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Database, InstanceOperationTable } from '../store/index.ts';
import { convergeQueue, type InstanceOperation, toOperation } from './records.ts';

/**
 * Records an operation and enqueues its converge job in the caller's transaction, so the row change, the
 * operation and the job commit together or not at all. The key makes a replayed enqueue a no-op.
 */
export async function enqueueOperation(
  trx: Kysely<Database>,
  deps: { jobs: Jobs; clock: Clock },
  instanceId: string,
  kind: InstanceOperationTable['kind'],
): Promise<InstanceOperation> {
  const now = deps.clock.now();
  const id = newId('op', now);
  const job = await deps.jobs.enqueue(
    { queue: convergeQueue, key: `op:${id}`, payload: { operationId: id }, maxAttempts: 3 },
    { db: trx },
  );
  const row = await trx
    .insertInto('instance_operations')
    .values({
      id,
      instance_id: instanceId,
      kind,
      state: 'queued',
      job_id: job.id,
      progress: 'queued',
      error: null,
      created_at: now.getTime(),
      started_at: null,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOperation(row);
}
