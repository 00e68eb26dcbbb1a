import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { MonitoringDeps } from './deps.ts';
import { type Monitor, monitorKinds, toMonitor } from './records.ts';

const listInput = z.object({
  instanceId: z.string().max(100).optional(),
  kind: z.enum(monitorKinds).optional(),
  state: z.enum(['unknown', 'up', 'down']).optional(),
  limit: z.int().min(1).max(10_000).default(500),
});

export async function listMonitors(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof listInput> = {},
): Promise<Monitor[]> {
  authorize(actor, 'monitoring:read');
  const filter = parseInput(listInput, input);
  let query = deps.store.db
    .selectFrom('monitors')
    .selectAll()
    .orderBy('name')
    .orderBy('id')
    .limit(filter.limit);
  if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.state) query = query.where('state', '=', filter.state);
  return (await query.execute()).map(toMonitor);
}

export async function getMonitor(
  deps: MonitoringDeps,
  actor: Actor,
  input: { id: string },
): Promise<Monitor> {
  authorize(actor, 'monitoring:read');
  const { id } = parseInput(z.object({ id: z.string().max(100) }), input);
  const row = await deps.store.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no monitor ${id}`, { id });
  return toMonitor(row);
}
