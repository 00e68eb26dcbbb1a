import { type Actor, authorize } from '../auth/actor.ts';
import type { InstanceDeps } from './deps.ts';
import { type Instance, toInstance } from './records.ts';

/** Every instance, tombstones included, by slug (`instances:read`). */
export async function listInstances(deps: Pick<InstanceDeps, 'store'>, actor: Actor): Promise<Instance[]> {
  authorize(actor, 'instances:read');
  const rows = await deps.store.db.selectFrom('instances').selectAll().orderBy('slug').execute();
  return rows.map(toInstance);
}
