import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { StackStatus } from '../runtime/index.ts';
import type { InstanceDeps } from './deps.ts';
import {
  findInstance,
  type Instance,
  type InstanceOperation,
  slugSchema,
  toInstance,
  toOperation,
} from './records.ts';

const getInstanceInput = z.object({ slug: slugSchema });

export interface InstanceDetails {
  instance: Instance;
  /** What the runtime runs now; undefined when it has nothing (not yet provisioned, or decommissioned). */
  status: StackStatus | undefined;
  /** Newest first. */
  operations: InstanceOperation[];
}

/** One instance with its live runtime status and its 20 most recent operations (`instances:read`). */
export async function getInstance(
  deps: Pick<InstanceDeps, 'store' | 'runtime'>,
  actor: Actor,
  input: z.input<typeof getInstanceInput>,
): Promise<InstanceDetails> {
  authorize(actor, 'instances:read');
  const { slug } = parseInput(getInstanceInput, input);
  const row = await findInstance(deps.store.db, slug);
  const operations = await deps.store.db
    .selectFrom('instance_operations')
    .selectAll()
    .where('instance_id', '=', row.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  return {
    instance: toInstance(row),
    status: await deps.runtime.inspect(row.slug),
    operations: operations.map(toOperation),
  };
}
