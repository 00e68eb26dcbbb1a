import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { InstanceDeps } from './deps.ts';
import { startInstanceOperation } from './enqueue-operation.ts';
import { type Instance, type InstanceOperation, slugSchema } from './records.ts';

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
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'remove',
    action: 'instance.decommission',
    changes: { state: 'decommissioning' },
    details: () => ({}),
  });
}
