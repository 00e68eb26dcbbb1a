import { z } from 'zod';
import { type Actor, authorize } from '../../auth/actor.ts';
import { parseInput } from '../../auth/input.ts';
import { RoostError } from '../../core/errors.ts';
import type { MonitoringDeps } from '../deps.ts';
import { type Alert, toAlert } from './records.ts';

const listInput = z.object({
  state: z.enum(['pending', 'firing', 'resolved', 'open']).optional(),
  instanceId: z.string().max(100).optional(),
  limit: z.int().min(1).max(1000).default(200),
});

export async function listAlerts(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof listInput> = {},
): Promise<Alert[]> {
  authorize(actor, 'monitoring:read');
  const filter = parseInput(listInput, input);
  let query = deps.store.db
    .selectFrom('alerts')
    .selectAll()
    .orderBy('pending_since', 'desc')
    .limit(filter.limit);
  if (filter.state === 'open') query = query.where('state', '!=', 'resolved');
  else if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
  return (await query.execute()).map(toAlert);
}

export async function getAlert(deps: MonitoringDeps, actor: Actor, input: { id: string }): Promise<Alert> {
  authorize(actor, 'monitoring:read');
  const { id } = parseInput(z.object({ id: z.string().max(100) }), input);
  const row = await deps.store.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no alert ${id}`, { id });
  return toAlert(row);
}
