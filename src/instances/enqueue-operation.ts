import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Database, InstanceOperationTable, InstanceTable } from '../store/index.ts';
import type { InstanceDeps } from './deps.ts';
import {
  convergeQueue,
  findInstance,
  type Instance,
  type InstanceOperation,
  refuseBusyInstance,
  toInstance,
  toOperation,
} from './records.ts';

/**
 * Records an operation and enqueues its converge job in the caller's transaction, so the row change, the
 * operation and the job commit together or not at all. The key makes a replayed enqueue a no-op.
 */
export async function enqueueOperation(
  trx: Kysely<Database>,
  deps: { jobs: Jobs; clock: Clock },
  instanceId: string,
  kind: InstanceOperationTable['kind'],
  details?: Record<string, unknown>,
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
      details: details ? JSON.stringify(details) : null,
      created_at: now.getTime(),
      started_at: null,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOperation(row);
}

/**
 * Changes an existing instance and queues the operation that makes the runtime follow, in one
 * transaction: refused while another operation of the instance is under way; audited as `action`.
 */
export async function startInstanceOperation(
  deps: InstanceDeps,
  actor: Actor,
  input: {
    slug: string;
    kind: InstanceOperationTable['kind'];
    action: string;
    /** The row's new desired state, or a function of the current row. */
    changes: Updateable<InstanceTable> | ((current: Selectable<InstanceTable>) => Updateable<InstanceTable>);
    details(current: Selectable<InstanceTable>): Record<string, unknown>;
    /** Kept on the operation for its job (e.g. the release to go back to). */
    operationDetails?(current: Selectable<InstanceTable>): Record<string, unknown>;
  },
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  return deps.store.db.transaction().execute(async (trx) => {
    const current = await findInstance(trx, input.slug);
    await refuseBusyInstance(trx, current);
    const row = await trx
      .updateTable('instances')
      .set({
        ...(typeof input.changes === 'function' ? input.changes(current) : input.changes),
        updated_at: deps.clock.now().getTime(),
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const operation = await enqueueOperation(
      trx,
      deps,
      current.id,
      input.kind,
      input.operationDetails?.(current),
    );
    await deps.audit.append(
      {
        actor,
        action: input.action,
        target: current.id,
        result: 'ok',
        details: { slug: input.slug, ...input.details(current), operationId: operation.id },
      },
      { db: trx },
    );
    return { instance: toInstance(row), operation };
  });
}
