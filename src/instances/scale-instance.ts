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

const scaleInstanceInput = z.object({ slug: slugSchema, replicas: z.int().min(1).max(10) });

/** Sets the desired API replicas and queues a converge (`instances:write`). */
export async function scaleInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof scaleInstanceInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug, replicas } = parseInput(scaleInstanceInput, input);
  return deps.store.db.transaction().execute(async (trx) => {
    const current = await findInstance(trx, slug);
    await refuseBusyInstance(trx, current);
    const row = await trx
      .updateTable('instances')
      .set({ replicas, updated_at: deps.clock.now().getTime() })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const operation = await enqueueOperation(trx, deps, current.id, 'scale');
    await deps.audit.append(
      {
        actor,
        action: 'instance.scale',
        target: current.id,
        result: 'ok',
        details: { slug, from: Number(current.replicas), to: replicas, operationId: operation.id },
      },
      { db: trx },
    );
    return { instance: toInstance(row), operation };
  });
}
