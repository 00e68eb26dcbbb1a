import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { InstanceDeps } from './deps.ts';
import { startInstanceOperation } from './enqueue-operation.ts';
import { type Instance, type InstanceOperation, type Release, slugSchema } from './records.ts';

const reference = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .regex(/^\S+$/, 'an image reference or version, no spaces');

const updateInstanceInput = z.object({
  slug: slugSchema,
  release: z.object({ api: reference, db: reference, cache: reference }).partial(),
});

/**
 * Sets a new release (any of api, db, cache) and queues the rolling update (`instances:write`): one API
 * replica at a time, the new one healthy before the old one stops. When the new release fails its health
 * checks the runtime rolls back and the job puts the previous release back on the instance.
 */
export async function updateInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof updateInstanceInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug, release } = parseInput(updateInstanceInput, input);
  if (Object.keys(release).length === 0) {
    throw new RoostError('invalid_input', 'release: name at least one of api, db, cache');
  }
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'update',
    action: 'instance.update',
    changes: (current) => ({
      release: JSON.stringify({ ...(JSON.parse(current.release) as Release), ...release }),
    }),
    details: (current) => ({
      from: JSON.parse(current.release),
      to: { ...JSON.parse(current.release), ...release },
    }),
    operationDetails: (current) => ({ previousRelease: JSON.parse(current.release) as Release }),
  });
}
