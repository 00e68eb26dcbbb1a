import type { Updateable } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { InstanceTable } from '../store/index.ts';
import type { InstanceDeps } from './deps.ts';
import { startInstanceOperation } from './enqueue-operation.ts';
import { type Instance, type InstanceOperation, slugSchema } from './records.ts';

const slugInput = z.object({ slug: slugSchema });

type SlugOperation = (
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof slugInput>,
) => Promise<{ instance: Instance; operation: InstanceOperation }>;

/** An operation that needs only the slug (`instances:write`): a row change and a converge. */
function slugOperation(
  kind: 'stop' | 'start' | 'restart',
  changes: Updateable<InstanceTable>,
): SlugOperation {
  return (deps, actor, input) => {
    authorize(actor, 'instances:write');
    const { slug } = parseInput(slugInput, input);
    return startInstanceOperation(deps, actor, {
      slug,
      kind,
      action: `instance.${kind}`,
      changes,
      details: () => ({}),
    });
  };
}

/** Stops every service of the instance, keeping its data and secrets. */
export const stopInstance = slugOperation('stop', { running: 0 });

/** Starts a stopped instance again. */
export const startInstance = slugOperation('start', { running: 1 });

/** Restarts the instance's services, the API one replica at a time. */
export const restartInstance = slugOperation('restart', {});
