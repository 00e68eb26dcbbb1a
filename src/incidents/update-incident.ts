import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { bumpStatusRevision } from '../status/index.ts';
import type { IncidentDeps } from './deps.ts';
import { postmortemChanged } from './postmortem-pdf.ts';
import {
  checkComponents,
  fieldColumns,
  findIncident,
  type Incident,
  incidentIdSchema,
  incidentInstanceIds,
  instanceIdsOf,
  markdownSchema,
  severities,
  toIncident,
} from './records.ts';

const updateIncidentInput = z.object({
  id: incidentIdSchema,
  title: z.string().trim().min(1).max(200).optional(),
  severity: z.enum(severities).optional(),
  whatIsGoingOn: markdownSchema.optional(),
  howWeUnderstood: markdownSchema.optional(),
  whatWeDid: markdownSchema.optional(),
  impacts: markdownSchema.optional(),
  howToAvoid: markdownSchema.optional(),
  postmortem: markdownSchema.max(100_000).optional(),
  /** Replaces the affected instances (slugs). */
  instances: z.array(z.string().max(100)).max(500).optional(),
  /** Replaces the affected components (ids). */
  components: z.array(z.string().max(100)).max(500).optional(),
});

/** Edits the logbook fields, the severity, the post-mortem or what the incident touches (`incidents:write`). */
export async function updateIncident(
  deps: IncidentDeps,
  actor: Actor,
  input: z.input<typeof updateIncidentInput>,
): Promise<Incident> {
  authorize(actor, 'incidents:write');
  const parsed = parseInput(updateIncidentInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    await findIncident(trx, parsed.id);
    const before = await incidentInstanceIds(trx, parsed.id);
    let instanceIds = before;
    if (parsed.instances) {
      instanceIds = await instanceIdsOf(trx, parsed.instances);
      await trx.deleteFrom('incident_instances').where('incident_id', '=', parsed.id).execute();
      for (const instanceId of instanceIds)
        await trx
          .insertInto('incident_instances')
          .values({ incident_id: parsed.id, instance_id: instanceId })
          .execute();
    }
    if (parsed.components) {
      await checkComponents(trx, parsed.components, instanceIds);
      await trx.deleteFrom('incident_components').where('incident_id', '=', parsed.id).execute();
      for (const componentId of new Set(parsed.components))
        await trx
          .insertInto('incident_components')
          .values({ incident_id: parsed.id, component_id: componentId })
          .execute();
    }
    const changes: Record<string, string> = {};
    for (const [key, column] of Object.entries(fieldColumns)) {
      const value = parsed[key as keyof typeof fieldColumns];
      if (value !== undefined) changes[column] = value;
    }
    if (parsed.title !== undefined) changes.title = parsed.title;
    if (parsed.severity !== undefined) changes.severity = parsed.severity;
    if (parsed.postmortem !== undefined) changes.postmortem = parsed.postmortem;
    const row = await trx
      .updateTable('incidents')
      .set({ ...changes, updated_at: now.getTime() })
      .where('id', '=', parsed.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const incident = toIncident(row);
    // A published post-mortem edited (text or title): its stored PDF is printed again.
    await postmortemChanged(trx, deps.jobs, incident);
    await bumpStatusRevision(trx, [...before, ...instanceIds], now);
    await deps.audit.append(
      {
        actor,
        action: 'incident.update',
        target: parsed.id,
        result: 'ok',
        details: { fields: Object.keys(parsed).filter((key) => key !== 'id') },
      },
      { db: trx },
    );
    return incident;
  });
}
