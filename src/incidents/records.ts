import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import { type IncidentStatus, manualIncidentStatuses } from '../core/incident-status.ts';
import type { Database, IncidentTable, IncidentTimelineTable } from '../store/index.ts';

export {
  type IncidentStatus,
  incidentStatuses,
  isOpenIncident,
  manualIncidentStatuses,
  openIncidentStatuses,
} from '../core/incident-status.ts';
export const severities = ['critical', 'major', 'minor'] as const;
export const timelineKinds = ['note', 'update', 'alert', 'deploy', 'backup', 'ban', 'status'] as const;

export type Severity = (typeof severities)[number];
export type TimelineKind = (typeof timelineKinds)[number];

/** A status set by hand (a new incident, a timeline entry): `postmortem` is refused, publishing sets it. */
export const manualStatusSchema = z.enum(manualIncidentStatuses, {
  error: (issue) =>
    issue.input === 'postmortem'
      ? 'postmortem comes only from publishing the post-mortem: resolve the incident, then publish it'
      : `expected one of ${manualIncidentStatuses.join(', ')}`,
});

export const incidentIdSchema = z.string().regex(/^inc_[0-9a-z]{26}$/, 'an incident id (inc_…)');
/** Markdown text of a logbook field; long enough for a real write-up, bounded for the pages. */
export const markdownSchema = z.string().max(20_000);

/** The five logbook fields (R23), in the order people fill them. */
export const logbookFields = [
  ['whatIsGoingOn', 'What is going on'],
  ['howWeUnderstood', 'How we understood it'],
  ['whatWeDid', 'What we did'],
  ['impacts', 'The impacts'],
  ['howToAvoid', 'How to avoid it next time'],
] as const;
export type LogbookField = (typeof logbookFields)[number][0];

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  whatIsGoingOn: string;
  howWeUnderstood: string;
  whatWeDid: string;
  impacts: string;
  howToAvoid: string;
  postmortem: string | null;
  postmortemPublishedAt: Date | null;
  createdBy: string;
  startedAt: Date;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TimelineEntry {
  id: string;
  incidentId: string;
  at: Date;
  kind: TimelineKind;
  source: string;
  body: string;
  status: IncidentStatus | null;
  public: boolean;
}

export function toIncident(row: Selectable<IncidentTable>): Incident {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    whatIsGoingOn: row.what_is_going_on,
    howWeUnderstood: row.how_we_understood,
    whatWeDid: row.what_we_did,
    impacts: row.impacts,
    howToAvoid: row.how_to_avoid,
    postmortem: row.postmortem,
    postmortemPublishedAt:
      row.postmortem_published_at === null ? null : new Date(Number(row.postmortem_published_at)),
    createdBy: row.created_by,
    startedAt: new Date(Number(row.started_at)),
    resolvedAt: row.resolved_at === null ? null : new Date(Number(row.resolved_at)),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export function toTimelineEntry(row: Selectable<IncidentTimelineTable>): TimelineEntry {
  return {
    id: row.id,
    incidentId: row.incident_id,
    at: new Date(Number(row.at)),
    kind: row.kind,
    source: row.source,
    body: row.body,
    status: row.status,
    public: Number(row.public) === 1,
  };
}

/** Logbook field names as the table spells them. */
export const fieldColumns = {
  whatIsGoingOn: 'what_is_going_on',
  howWeUnderstood: 'how_we_understood',
  whatWeDid: 'what_we_did',
  impacts: 'impacts',
  howToAvoid: 'how_to_avoid',
} as const satisfies Record<LogbookField, keyof IncidentTable>;

export async function findIncident(db: Kysely<Database>, id: string): Promise<Selectable<IncidentTable>> {
  const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RoostError('not_found', `no incident ${id}`, { id });
  return row;
}

/** Instance ids an incident touches: their status pages change with it. */
export async function incidentInstanceIds(db: Kysely<Database>, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_instances')
    .select('instance_id')
    .where('incident_id', '=', incidentId)
    .execute();
  return rows.map((row) => row.instance_id);
}

/** Resolves instance slugs to ids, refusing unknown ones by name. */
export async function instanceIdsOf(db: Kysely<Database>, slugs: readonly string[]): Promise<string[]> {
  if (slugs.length === 0) return [];
  const rows = await db.selectFrom('instances').select(['id', 'slug']).where('slug', 'in', slugs).execute();
  const missing = slugs.filter((slug) => !rows.some((row) => row.slug === slug));
  if (missing.length > 0)
    throw new RoostError('not_found', `no instance ${missing.join(', ')}`, { slugs: missing });
  return rows.map((row) => row.id);
}

/** Checks component ids belong to the incident's instances. */
export async function checkComponents(
  db: Kysely<Database>,
  componentIds: readonly string[],
  instanceIds: readonly string[],
): Promise<void> {
  if (componentIds.length === 0) return;
  const rows = await db
    .selectFrom('status_components')
    .select(['id', 'instance_id'])
    .where('id', 'in', componentIds)
    .execute();
  const unknown = componentIds.filter(
    (id) => !rows.some((row) => row.id === id && instanceIds.includes(row.instance_id)),
  );
  if (unknown.length > 0)
    throw new RoostError(
      'invalid_input',
      `components ${unknown.join(', ')} are not on an affected instance`,
      {
        components: unknown,
      },
    );
}
