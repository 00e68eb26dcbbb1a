import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { AuditEventInput, AuditLog } from '../audit/types.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, IncidentTimelineTable } from '../store/index.ts';
import type { TimelineKind } from './records.ts';

/** A timeline entry as its writer says it; its id, number and creation time are given on insert. */
export type NewTimelineEntry = Omit<Insertable<IncidentTimelineTable>, 'id' | 'seq' | 'created_at'>;

/**
 * Writes an entry with the next number of its incident's timeline. Numbering bumps a counter on the incident,
 * whose row stays locked until the transaction ends: writers of one incident (other processes too, on
 * PostgreSQL) take turns, so entries are numbered in the order they commit, and entries of the same
 * millisecond come back in the order they were written (`timelineOf`).
 */
export async function insertTimelineEntry(
  trx: Transaction<Database>,
  entry: NewTimelineEntry,
  now: Date,
): Promise<Selectable<IncidentTimelineTable>> {
  const numbered = await trx
    .updateTable('incidents')
    .set((eb) => ({ timeline_seq: eb('timeline_seq', '+', 1) }))
    .where('id', '=', entry.incident_id)
    .returning('timeline_seq')
    .executeTakeFirst();
  if (!numbered)
    throw new RoostError('not_found', `no incident ${entry.incident_id}`, { id: entry.incident_id });
  return trx
    .insertInto('incident_timeline')
    .values({
      ...entry,
      id: newId('tle', now),
      seq: Number(numbered.timeline_seq),
      created_at: now.getTime(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An incident's timeline, oldest first: by time, then in the order the entries were written. */
export function timelineOf(
  db: Kysely<Database>,
  incidentId: string,
): Promise<Selectable<IncidentTimelineTable>[]> {
  return db
    .selectFrom('incident_timeline')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('at')
    .orderBy('seq')
    .execute();
}

export interface InternalRecord {
  incidentId: string;
  kind?: TimelineKind;
  /** What wrote it, shown instead of the actor: the actor's label unless said. */
  source?: string;
  body: string;
  /** The audit event's action (`incident.customer-notice`, …); its target is the incident. */
  action: string;
  actor: AuditEventInput['actor'];
  details?: Record<string, unknown>;
}

/**
 * What Roost did about an incident besides its status, in one transaction: an internal timeline entry for
 * the people reading the logbook and the audit event for the trail (a customer notice sent, an incident opened
 * from an alert, a post-mortem mailed or withdrawn).
 */
export async function recordOnTimeline(
  trx: Transaction<Database>,
  audit: AuditLog,
  record: InternalRecord,
  now: Date,
): Promise<Selectable<IncidentTimelineTable>> {
  const entry = await insertTimelineEntry(
    trx,
    {
      incident_id: record.incidentId,
      at: now.getTime(),
      kind: record.kind ?? 'note',
      source: record.source ?? record.actor.label,
      body: record.body,
      status: null,
      public: 0,
    },
    now,
  );
  await audit.append(
    {
      actor: record.actor,
      action: record.action,
      target: record.incidentId,
      result: 'ok',
      ...(record.details ? { details: record.details } : {}),
    },
    { db: trx },
  );
  return entry;
}
