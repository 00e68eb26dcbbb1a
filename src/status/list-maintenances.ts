import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { StatusDeps } from './deps.ts';
import { type Maintenance, toMaintenance } from './maintenance-records.ts';
import { findLiveInstance } from './records.ts';

const listMaintenancesInput = z.object({ slug: z.string().max(100).optional() });

/** Maintenance windows, latest start first, for one instance or all (`status:read`). */
export async function listMaintenances(
  deps: Pick<StatusDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof listMaintenancesInput> = {},
): Promise<Maintenance[]> {
  authorize(actor, 'status:read');
  const { slug } = parseInput(listMaintenancesInput, input);
  let query = deps.store.db.selectFrom('maintenances').selectAll();
  if (slug) {
    const instance = await findLiveInstance(deps.store.db, slug);
    query = query.where('instance_id', '=', instance.id);
  }
  const rows = await query.orderBy('starts_at', 'desc').limit(500).execute();
  return rows.map(toMaintenance);
}
