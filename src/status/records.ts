import type { Kysely, Selectable } from 'kysely';
import { RoostError } from '../core/errors.ts';
import type {
  ComponentStatus,
  Database,
  InstanceTable,
  StatusComponentTable,
  StatusPageTable,
} from '../store/index.ts';

export const componentStatuses = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const satisfies readonly ComponentStatus[];
export type { ComponentStatus };

/** Statuspage's page indicator. */
export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

export interface Component {
  id: string;
  instanceId: string;
  name: string;
  description: string | null;
  position: number;
  manualStatus: ComponentStatus | null;
  monitorIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export function toComponent(row: Selectable<StatusComponentTable>): Component {
  return {
    id: row.id,
    instanceId: row.instance_id,
    name: row.name,
    description: row.description,
    position: Number(row.position),
    manualStatus: row.manual_status,
    monitorIds: JSON.parse(row.monitors) as string[],
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** Worst first: the page shows the worst state of its components. */
const severity: Record<ComponentStatus, number> = {
  major_outage: 4,
  partial_outage: 3,
  degraded_performance: 2,
  under_maintenance: 1,
  operational: 0,
};

/** The page indicator and sentence from its components, as Statuspage words them. */
export function overallStatus(statuses: readonly ComponentStatus[]): {
  indicator: Indicator;
  description: string;
} {
  const worst = statuses.reduce<ComponentStatus>(
    (current, status) => (severity[status] > severity[current] ? status : current),
    'operational',
  );
  switch (worst) {
    case 'major_outage':
      return { indicator: 'critical', description: 'Major System Outage' };
    case 'partial_outage':
      return { indicator: 'major', description: 'Partial System Outage' };
    case 'degraded_performance':
      return { indicator: 'minor', description: 'Degraded System Performance' };
    case 'under_maintenance':
      return { indicator: 'maintenance', description: 'Service Under Maintenance' };
    default:
      return { indicator: 'none', description: 'All Systems Operational' };
  }
}

export async function findLiveInstance(
  db: Kysely<Database>,
  slug: string,
): Promise<Selectable<InstanceTable>> {
  const row = await db.selectFrom('instances').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row || row.state === 'decommissioned')
    throw new RoostError('not_found', `no instance ${slug}`, { slug });
  return row;
}

export async function findComponent(
  db: Kysely<Database>,
  id: string,
): Promise<Selectable<StatusComponentTable>> {
  const row = await db.selectFrom('status_components').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no component ${id}`, { id });
  return row;
}

/** An instance's page settings (none until someone configures them) and its components, in order. */
export async function pageAndComponents(
  db: Kysely<Database>,
  instanceId: string,
): Promise<{ page: Selectable<StatusPageTable> | undefined; components: Component[] }> {
  const page = await db
    .selectFrom('status_pages')
    .selectAll()
    .where('instance_id', '=', instanceId)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('status_components')
    .selectAll()
    .where('instance_id', '=', instanceId)
    .orderBy('position')
    .execute();
  return { page, components: rows.map(toComponent) };
}
