import type { Selectable } from 'kysely';
import type { MaintenanceTable } from '../store/index.ts';

export interface Maintenance {
  id: string;
  instanceId: string;
  title: string;
  body: string;
  state: MaintenanceTable['state'];
  componentIds: string[];
  startsAt: Date;
  endsAt: Date;
  inBusinessHours: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toMaintenance(row: Selectable<MaintenanceTable>): Maintenance {
  return {
    id: row.id,
    instanceId: row.instance_id,
    title: row.title,
    body: row.body,
    state: row.state,
    componentIds: JSON.parse(row.components) as string[],
    startsAt: new Date(Number(row.starts_at)),
    endsAt: new Date(Number(row.ends_at)),
    inBusinessHours: Number(row.in_business_hours) === 1,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** The job that moves windows through scheduled → in progress → completed. */
export const maintenanceQueue = 'status.maintenances';
