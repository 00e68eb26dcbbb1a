import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { bumpStatusRevision, notifyQueue } from '../status/index.ts';
import type { IncidentDeps } from './deps.ts';
import { draftPostmortem } from './postmortem-draft.ts';
import {
  findIncident,
  incidentIdSchema,
  incidentInstanceIds,
  isOpenIncident,
  manualStatusSchema,
  markdownSchema,
  type TimelineEntry,
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
    // `postmortem` is the status of the update publishing posts, nothing else: an update after it reads
    // `resolved`, and `resolved` leaves the incident of a published post-mortem as it is.
    const inherited = incident.status === 'postmortem' ? 'resolved' : incident.status;
    const target =
      parsed.status === 'resolved' && incident.postmortemPublishedAt !== null ? undefined : parsed.status;
    const row = await insertTimelineEntry(
      trx,
      {
        incident_id: incident.id,
        at: (parsed.at ?? now).getTime(),
        kind,
        source: parsed.source ?? actor.label,
        body: parsed.body,
        status: parsed.status ?? (parsed.public ? inherited : null),
        public: parsed.public ? 1 : 0,
      },
      now,
    );
    const instanceIds = await incidentInstanceIds(trx, incident.id);
    const changes: { status?: typeof incident.status; resolved_at?: number | null; postmortem?: string } = {};
    if (target && target !== incident.status) {
      changes.status = target;
      const closing = !isOpenIncident(target);
      if (closing && incident.resolvedAt === null) {
        changes.resolved_at = now.getTime();
        if (incident.postmortem === null) {
          const timeline = await timelineOf(trx, incident.id);
          const slugs = await trx
            .selectFrom('instances')
            .select('slug')
            .where('id', 'in', instanceIds.length > 0 ? instanceIds : [''])
            .orderBy('slug')
            .execute();
          changes.postmortem = draftPostmortem(
            incident,
            timeline.map(toTimelineEntry),
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
    await trx
      .updateTable('incidents')
      .set({ ...changes, updated_at: now.getTime() })
      .where('id', '=', incident.id)
      .execute();
    await bumpStatusRevision(trx, instanceIds, now);
    if (parsed.public && deps.jobs)
      await deps.jobs.enqueue(
        { queue: notifyQueue, payload: { entryId: row.id }, key: `notify:${row.id}` },
        { db: trx },
      );
    await deps.audit.append(
      {
        actor,
        action: 'incident.timeline',
        target: incident.id,
        result: 'ok',
        details: { kind, public: parsed.public, status: parsed.status ?? null, entry: row.id },
      },
      { db: trx },
    );
    return toTimelineEntry(row);
  });
}
