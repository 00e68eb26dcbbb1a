import type { Transaction } from 'kysely';
import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { bumpStatusRevision, notifyQueue } from '../status/index.ts';
import type { Database } from '../store/index.ts';
import type { IncidentDeps } from './deps.ts';
import { draftPostmortem } from './postmortem-draft.ts';
import {
  findIncident,
  type Incident,
  type IncidentStatus,
  incidentIdSchema,
  incidentInstanceIds,
  isOpenIncident,
  manualStatusSchema,
  markdownSchema,
  type TimelineEntry,
  type TimelineKind,
  timelineKinds,
  toIncident,
  toTimelineEntry,
} from './records.ts';
import { insertTimelineEntry, timelineOf } from './timeline.ts';
import { withdrawPostmortem } from './withdraw-postmortem.ts';

const appendTimelineEntryInput = z.object({
  incidentId: incidentIdSchema,
  /** `update` for public entries and `note` for the others unless said. */
  kind: z.enum(timelineKinds).optional(),
  body: markdownSchema.trim().min(1),
  /** A public update: shown on the status pages and sent to their subscribers. */
  public: z.boolean().default(false),
  /** The incident's new status, if this entry changes it; never `postmortem`, which publishing sets. */
  status: manualStatusSchema.optional(),
  /** What wrote it, when not the actor (`monitoring`, `backups`, `deploys`, `bans`). */
  source: z.string().trim().min(1).max(100).optional(),
  at: z.coerce.date().optional(),
});

export type AppendTimelineEntryInput = z.input<typeof appendTimelineEntryInput>;

/**
 * Adds an entry to an incident's timeline (`incidents:write`): manual notes, public updates, and what other
 * domains report (alerts, deploys, backups, bans). An entry may move the incident's status; resolving it
 * drafts the post-mortem from the logbook and the timeline, reopening it withdraws a published post-mortem,
 * in the same transaction.
 */
export async function appendTimelineEntry(
  deps: IncidentDeps,
  actor: Actor,
  input: AppendTimelineEntryInput,
): Promise<TimelineEntry> {
  authorize(actor, 'incidents:write');
  const parsed = parseInput(appendTimelineEntryInput, input);
  const now = deps.clock.now();
  const kind = parsed.kind ?? (parsed.public ? 'update' : 'note');
  return deps.store.db.transaction().execute(async (trx) => {
    const incident = toIncident(await findIncident(trx, parsed.incidentId));
    const { entry } = await writeTimelineEntry(
      trx,
      deps,
      actor,
      incident,
      {
        kind,
        source: parsed.source ?? actor.label,
        body: parsed.body,
        public: parsed.public,
        ...(parsed.status ? { status: parsed.status } : {}),
        at: parsed.at ?? now,
      },
      now,
    );
    await deps.audit.append(
      {
        actor,
        action: 'incident.timeline',
        target: incident.id,
        result: 'ok',
        details: { kind, public: parsed.public, status: parsed.status ?? null, entry: entry.id },
      },
      { db: trx },
    );
    return entry;
  });
}

/** A timeline entry as `writeTimelineEntry` takes it. */
export interface TimelineWrite {
  kind: TimelineKind;
  source: string;
  body: string;
  public: boolean;
  /** The status the incident moves to (never `postmortem`). */
  status?: Exclude<IncidentStatus, 'postmortem'>;
  at: Date;
}

/**
 * Writes an entry and gives the incident the entry's status, inside the caller's transaction: the one path
 * for a new incident's first entry and every later one. Closing the incident records its resolution time
 * (once) and drafts the post-mortem when there is none; reopening clears the resolution time and withdraws a
 * published post-mortem. The affected status pages change, and a public entry is queued for subscribers.
 */
export async function writeTimelineEntry(
  trx: Transaction<Database>,
  deps: IncidentDeps,
  actor: Actor,
  incident: Incident,
  write: TimelineWrite,
  now: Date,
): Promise<{ entry: TimelineEntry; incident: Incident }> {
  // `postmortem` is the status of the update publishing posts, nothing else: an update after it reads
  // `resolved`, and `resolved` leaves the incident of a published post-mortem as it is.
  const inherited = incident.status === 'postmortem' ? 'resolved' : incident.status;
  const target =
    write.status === 'resolved' && incident.postmortemPublishedAt !== null ? undefined : write.status;
  const row = await insertTimelineEntry(
    trx,
    {
      incident_id: incident.id,
      at: write.at.getTime(),
      kind: write.kind,
      source: write.source,
      body: write.body,
      status: write.status ?? (write.public ? inherited : null),
      public: write.public ? 1 : 0,
    },
    now,
  );
  const instanceIds = await incidentInstanceIds(trx, incident.id);
  const changes: { status?: IncidentStatus; resolved_at?: number | null; postmortem?: string } = {};
  // Decided by what is recorded rather than by the status before: a new incident already has its status.
  if (target) {
    changes.status = target;
    const closing = !isOpenIncident(target);
    if (closing && incident.resolvedAt === null) {
      changes.resolved_at = now.getTime();
      if (incident.postmortem === null) {
        const slugs = await trx
          .selectFrom('instances')
          .select('slug')
          .where('id', 'in', instanceIds.length > 0 ? instanceIds : [''])
          .orderBy('slug')
          .execute();
        changes.postmortem = draftPostmortem(
          incident,
          (await timelineOf(trx, incident.id)).map(toTimelineEntry),
          slugs.map((entry) => entry.slug),
          now,
        );
      }
    }
    if (!closing) {
      if (incident.resolvedAt !== null) changes.resolved_at = null;
      // Reopened: its published post-mortem goes back to draft, off the status pages.
      await withdrawPostmortem(trx, deps, actor, incident, now);
    }
  }
  const updated = await trx
    .updateTable('incidents')
    .set({ ...changes, updated_at: now.getTime() })
    .where('id', '=', incident.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await bumpStatusRevision(trx, instanceIds, now);
  if (write.public && deps.jobs)
    await deps.jobs.enqueue(
      { queue: notifyQueue, payload: { entryId: row.id }, key: `notify:${row.id}` },
      { db: trx },
    );
  return { entry: toTimelineEntry(row), incident: toIncident(updated) };
}
