import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { InstanceDeps } from './deps.ts';
import { startInstanceOperation } from './enqueue-operation.ts';
import { type Instance, type InstanceOperation, slugSchema } from './records.ts';

const slugInput = z.object({ slug: slugSchema });

/** Stops every service of the instance, keeping its data and secrets (`instances:write`). */
export function stopInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof slugInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug } = parseInput(slugInput, input);
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'stop',
    action: 'instance.stop',
    changes: { running: 0 },
    details: () => ({}),
  });
}

/** Starts a stopped instance again (`instances:write`). */
export function startInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof slugInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug } = parseInput(slugInput, input);
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'start',
    action: 'instance.start',
    changes: { running: 1 },
    details: () => ({}),
  });
}

/** Restarts the instance's services, the API one replica at a time (`instances:write`). */
export function restartInstance(
  deps: InstanceDeps,
  actor: Actor,
  input: z.input<typeof slugInput>,
): Promise<{ instance: Instance; operation: InstanceOperation }> {
  authorize(actor, 'instances:write');
  const { slug } = parseInput(slugInput, input);
  return startInstanceOperation(deps, actor, {
    slug,
    kind: 'restart',
    action: 'instance.restart',
    changes: {},
    details: () => ({}),
  });
}
