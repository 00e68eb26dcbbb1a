import type { Selectable, Transaction } from 'kysely';
import type { AuditEventInput, AuditLog } from '../audit/types.ts';
import { newId } from '../core/ids.ts';
import type { Database, IncidentTimelineTable } from '../store/index.ts';
import type { TimelineKind } from './records.ts';

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
  const entry = await trx
    .insertInto('incident_timeline')
    .values({
      id: newId('tle', now),
      incident_id: record.incidentId,
      at: now.getTime(),
      kind: record.kind ?? 'note',
      source: record.source ?? record.actor.label,
      body: record.body,
      status: null,
      public: 0,
      created_at: now.getTime(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
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
