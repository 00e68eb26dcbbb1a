import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { IncidentDeps } from './deps.ts';
import {
  findIncident,
  type Incident,
  incidentIdSchema,
  type TimelineEntry,
  toIncident,
  toTimelineEntry,
} from './records.ts';
import { timelineOf } from './timeline.ts';

const getIncidentInput = z.object({ id: incidentIdSchema });

export interface IncidentDetails {
  incident: Incident;
  instances: Array<{ id: string; slug: string; customer: string }>;
  components: Array<{ id: string; name: string; instanceId: string }>;
  /** Oldest first. */
  timeline: TimelineEntry[];
}

/** One incident with what it touches and its whole timeline (`incidents:read`: every employee). */
export async function getIncident(
  deps: Pick<IncidentDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof getIncidentInput>,
): Promise<IncidentDetails> {
  authorize(actor, 'incidents:read');
  const { id } = parseInput(getIncidentInput, input);
  const { db } = deps.store;
  const incident = toIncident(await findIncident(db, id));
  const instances = await db
    .selectFrom('incident_instances')
    .innerJoin('instances', 'instances.id', 'incident_instances.instance_id')
    .select(['instances.id', 'instances.slug', 'instances.customer'])
    .where('incident_instances.incident_id', '=', id)
    .orderBy('instances.slug')
    .execute();
  const components = await db
    .selectFrom('incident_components')
    .innerJoin('status_components', 'status_components.id', 'incident_components.component_id')
    .select(['status_components.id', 'status_components.name', 'status_components.instance_id'])
    .where('incident_components.incident_id', '=', id)
    .orderBy('status_components.position')
    .execute();
  const timeline = await timelineOf(db, id);
  return {
    incident,
    instances,
    components: components.map((row) => ({ id: row.id, name: row.name, instanceId: row.instance_id })),
    timeline: timeline.map(toTimelineEntry),
  };
}
