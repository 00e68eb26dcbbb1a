import type { Selectable } from 'kysely';
import type { NodeTable } from '../store/index.ts';

export const nodeRoles = ['front', 'db', 'backup', 'staging'] as const;
export type NodeRole = (typeof nodeRoles)[number];

/** A server Roost manages (a Swarm node or the local machine). */
export interface Node {
  id: string;
  name: string;
  address: string;
  roles: NodeRole[];
  exporterUrl: string | null;
  createdAt: Date;
  removedAt: Date | null;
}

export function toNode(row: Selectable<NodeTable>): Node {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    roles: JSON.parse(row.roles) as NodeRole[],
    exporterUrl: row.exporter_url,
    createdAt: new Date(Number(row.created_at)),
    removedAt: row.removed_at === null ? null : new Date(Number(row.removed_at)),
  };
}
