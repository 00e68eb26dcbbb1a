import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { stackSecretNames } from '../runtime/index.ts';
import type { InstanceDeps } from './deps.ts';
import { startInstanceOperation } from './enqueue-operation.ts';
import { type Instance, type InstanceOperation, slugSchema } from './records.ts';

const rotateInput = z.object({ slug: slugSchema, name: z.enum(stackSecretNames) });

/**
 * Queues the rotation of one of the instance's secrets (`instances:write`; the value is never shown). The
 * job generates the new value, sets it where it is checked (ALTER ROLE for the database password) and
 * rolls the services onto it, so the API keeps answering throughout.
 */
export function rotateInstanceSecret(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof rotateInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug, name } = parseInput(rotateInput, input);
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'rotate',
    action: 'instance.secret.rotate',
    changes: {},
    details: () => ({ secret: name }),
    operationDetails: () => ({ secret: name }),
  });
}
