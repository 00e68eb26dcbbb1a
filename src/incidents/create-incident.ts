import type { Transaction } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/index.ts';
import { writeTimelineEntry } from './append-timeline-entry.ts';
import type { IncidentDeps } from './deps.ts';
import { accountManagerQueue } from './notify-account-managers.ts';
import {
  checkComponents,
  type Incident,
  instanceIdsOf,
  manualStatusSchema,
  markdownSchema,
  severities,
  toIncident,
} from './records.ts';

const createIncidentInput = z.object({
  title: z.string().trim().min(1).max(200),
  severity: z.enum(severities).default('major'),
  /** `postmortem` is refused: only publishing the post-mortem sets it. */
  status: manualStatusSchema.default('investigating'),
  whatIsGoingOn: markdownSchema.default(''),
  howWeUnderstood: markdownSchema.default(''),
  whatWeDid: markdownSchema.default(''),
  impacts: markdownSchema.default(''),
  howToAvoid: markdownSchema.default(''),
  /** Slugs of the affected instances. */
  instances: z.array(z.string().max(100)).max(500).default([]),
  /** Ids of the affected status page components. */
  components: z.array(z.string().max(100)).max(500).default([]),
  /** A first public update for the status pages; without it the incident stays internal until one is posted. */
  message: markdownSchema.optional(),
  startedAt: z.coerce.date().optional(),
});

/**
 * Opens a logbook entry (`incidents:write`): the incident, the instances and components it touches, its
 * first timeline entry and the audit event commit together, and the affected status pages change. The first
 * entry sets the status as any entry does, so an incident opened as `resolved` is resolved (resolution time,
 * post-mortem draft) like one resolved later.
 */
export async function createIncident(
  deps: IncidentDeps,
  actor: Actor,
  input: z.input<typeof createIncidentInput>,
  /** Inside a caller's transaction (opening one from an alert links the alert in the same commit). */
  options: { db?: Transaction<Database> } = {},
): Promise<Incident> {
  authorize(actor, 'incidents:write');
  const parsed = parseInput(createIncidentInput, input);
  const now = deps.clock.now();
  const id = newId('inc', now);
  const run = async (trx: Transaction<Database>) => {
    const instanceIds = await instanceIdsOf(trx, parsed.instances);
    await checkComponents(trx, parsed.components, instanceIds);
    const row = await trx
      .insertInto('incidents')
      .values({
        id,
        title: parsed.title,
        severity: parsed.severity,
        status: parsed.status,
        what_is_going_on: parsed.whatIsGoingOn,
        how_we_understood: parsed.howWeUnderstood,
        what_we_did: parsed.whatWeDid,
        impacts: parsed.impacts,
        how_to_avoid: parsed.howToAvoid,
        postmortem: null,
        postmortem_published_at: null,
        created_by: actor.label,
        started_at: (parsed.startedAt ?? now).getTime(),
        resolved_at: null,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const instanceId of instanceIds)
      await trx
        .insertInto('incident_instances')
        .values({ incident_id: id, instance_id: instanceId })
        .execute();
    for (const componentId of new Set(parsed.components))
      await trx
        .insertInto('incident_components')
        .values({ incident_id: id, component_id: componentId })
        .execute();
    // The opening entry gives the incident its status the way a later entry would: opened as `resolved`, it
    // has its resolution time and its post-mortem draft.
    const opened = await writeTimelineEntry(
      trx,
      deps,
      actor,
      toIncident(row),
      {
        kind: parsed.message === undefined ? 'status' : 'update',
        source: actor.label,
        body: parsed.message ?? `Incident opened (${parsed.severity}, ${parsed.status}).`,
        public: parsed.message !== undefined,
        status: parsed.status,
        at: now,
      },
      now,
    );
    if (instanceIds.length > 0 && deps.jobs)
      await deps.jobs.enqueue(
        { queue: accountManagerQueue, payload: { incidentId: id }, key: `managers:${id}` },
        { db: trx },
      );
    await deps.audit.append(
      {
        actor,
        action: 'incident.create',
        target: id,
        result: 'ok',
        details: {
          title: parsed.title,
          severity: parsed.severity,
          status: parsed.status,
          instances: parsed.instances,
        },
      },
      { db: trx },
    );
    return opened.incident;
  };
  return options.db ? run(options.db) : deps.store.db.transaction().execute(run);
}
