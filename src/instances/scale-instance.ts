import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { InstanceDeps } from './deps.ts';
import { startInstanceOperation } from './enqueue-operation.ts';
import { type Instance, type InstanceOperation, slugSchema } from './records.ts';

const scaleInstanceInput = z.object({ slug: slugSchema, replicas: z.int().min(1).max(10) });

/** Sets the desired API replicas and queues a converge (`instances:write`). */
export async function scaleInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof scaleInstanceInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug, replicas } = parseInput(scaleInstanceInput, input);
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'scale',
    action: 'instance.scale',
    changes: { replicas },
    details: (current) => ({ from: Number(current.replicas), to: replicas }),
  });
}
