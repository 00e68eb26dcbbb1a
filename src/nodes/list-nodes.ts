import { type Actor, authorize } from '../auth/actor.ts';
import type { MonitoringDeps } from '../monitoring/index.ts';
import { type Node, toNode } from './records.ts';

export interface NodeWithMonitors extends Node {
  monitors: Array<{ id: string; name: string; state: string }>;
}

/** Live nodes with their template monitors and states (`instances:read`). */
export async function listNodes(deps: MonitoringDeps, actor: Actor): Promise<NodeWithMonitors[]> {
  authorize(actor, 'instances:read');
  const rows = await deps.store.db
    .selectFrom('nodes')
    .selectAll()
    .where('removed_at', 'is', null)
    .orderBy('name')
    .execute();
  const monitors =
    rows.length === 0
      ? []
      : await deps.store.db
          .selectFrom('monitors')
          .select(['id', 'name', 'state', 'node_id'])
          .where(
            'node_id',
            'in',
            rows.map((row) => row.id),
          )
          .orderBy('name')
          .execute();
  return rows.map((row) => ({
    ...toNode(row),
    monitors: monitors
      .filter((monitor) => monitor.node_id === row.id)
      .map(({ id, name, state }) => ({ id, name, state })),
  }));
}
