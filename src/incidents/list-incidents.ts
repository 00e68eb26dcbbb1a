import { sql } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { IncidentDeps } from './deps.ts';
import { type Incident, incidentStatuses, openIncidentStatuses, toIncident } from './records.ts';

const listIncidentsInput = z.object({
  /** Words to find in the title, the logbook fields, the post-mortem or the timeline. */
  query: z.string().trim().max(200).optional(),
  status: z.enum(incidentStatuses).optional(),
  /** Only open incidents (not resolved, no post-mortem). */
  open: z.boolean().optional(),
  instance: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(1_000).default(100),
});

const searchedColumns = [
  'incidents.title',
  'incidents.what_is_going_on',
  'incidents.how_we_understood',
  'incidents.what_we_did',
  'incidents.impacts',
  'incidents.how_to_avoid',
  'incidents.postmortem',
];

/** Escapes LIKE wildcards so a search for `50%` means those characters. */
function likePattern(word: string): string {
  return `%${word.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The logbook, newest first, filtered and searched (`incidents:read`: every employee). */
export async function listIncidents(
  deps: Pick<IncidentDeps, 'store'>,
  actor: Actor,
  input: z.input<typeof listIncidentsInput> = {},
): Promise<Incident[]> {
  authorize(actor, 'incidents:read');
  const parsed = parseInput(listIncidentsInput, input);
  let query = deps.store.db.selectFrom('incidents').selectAll('incidents');
  if (parsed.status) query = query.where('incidents.status', '=', parsed.status);
  if (parsed.open) query = query.where('incidents.status', 'in', openIncidentStatuses);
  if (parsed.instance) {
    const slug = parsed.instance;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('incident_instances')
          .innerJoin('instances', 'instances.id', 'incident_instances.instance_id')
          .select('incident_instances.incident_id')
          .whereRef('incident_instances.incident_id', '=', 'incidents.id')
          .where('instances.slug', '=', slug),
      ),
    );
  }
  // Every word must appear somewhere: in the incident's own text or in one of its timeline entries.
  for (const word of (parsed.query ?? '').split(/\s+/).filter(Boolean).slice(0, 10)) {
    const pattern = likePattern(word);
    const contains = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    query = query.where((eb) =>
      eb.or([
        ...searchedColumns.map(contains),
        eb.exists(
          eb
            .selectFrom('incident_timeline')
            .select('incident_timeline.id')
            .whereRef('incident_timeline.incident_id', '=', 'incidents.id')
            .where(contains('incident_timeline.body')),
        ),
      ]),
    );
  }
  const rows = await query
    .orderBy('incidents.started_at', 'desc')
    .orderBy('incidents.id', 'desc')
    .limit(parsed.limit)
    .execute();
  return rows.map(toIncident);
}
