import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { InstanceDeps } from './deps.ts';
import { enqueueOperation } from './enqueue-operation.ts';
import {
  findInstance,
  type Instance,
  type InstanceOperation,
  refuseBusyInstance,
  slugSchema,
  toInstance,
} from './records.ts';

const decommissionInstanceInput = z.object({ slug: slugSchema });

/**
 * Starts decommissioning (`instances:write`): the instance turns `decommissioning` and a job stops the
 * stack, erases its files and vault secrets, leaves the row as a tombstone and stores a signed erasure
 * certificate (R27) listing what it removed.
 */
export async function decommissionInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof decommissionInstanceInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug } = parseInput(decommissionInstanceInput, input);
  return deps.store.db.transaction().execute(async (trx) => {
    const current = await findInstance(trx, slug);
    await refuseBusyInstance(trx, current);
    const row = await trx
      .updateTable('instances')
      .set({ state: 'decommissioning', updated_at: deps.clock.now().getTime() })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const operation = await enqueueOperation(trx, deps, current.id, 'remove');
    await deps.audit.append(
      {
        actor,
        action: 'instance.decommission',
        target: current.id,
        result: 'ok',
        details: { slug, operationId: operation.id },
      },
      { db: trx },
    );
    return { instance: toInstance(row), operation };
  });
}
