import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { bumpStatusRevision, notifyQueue } from '../status/index.ts';
import type { IncidentDeps } from './deps.ts';
import { postmortemMailQueue } from './mail-postmortem.ts';
import { postmortemChanged } from './postmortem-pdf.ts';
import { findIncident, type Incident, incidentIdSchema, incidentInstanceIds, toIncident } from './records.ts';
import { insertTimelineEntry } from './timeline.ts';

const publishPostmortemInput = z.object({ id: incidentIdSchema });

const alreadyPublished = (id: string, publishedAt: Date | null) =>
  new RoostError(
    'conflict',
    `the post-mortem of ${id} is already published${publishedAt ? ` (${publishedAt.toISOString()})` : ''}: edit it to change the text, the status pages show the edit`,
    { id, publishedAt: publishedAt?.toISOString() ?? null },
  );

/**
 * Publishes the reviewed post-mortem of a resolved incident (`incidents:write`): the incident moves to
 * `postmortem`, the status pages show the text (and link its PDF once a job printed it), a public update
 * tells subscribers it is there, and the customer contacts get it by mail (PDF attached). Publishing is
 * done once: an already published post-mortem is refused (`conflict`), since publishing again would move
 * its publication time, announce it a second time and mail everyone again; edits to it need no publishing
 * (the pages show them and its PDF is printed again).
 */
export async function publishPostmortem(
  deps: IncidentDeps,
  actor: Actor,
  input: z.input<typeof publishPostmortemInput>,
): Promise<Incident> {
  authorize(actor, 'incidents:write');
  const { id } = parseInput(publishPostmortemInput, input);
  const now = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    const incident = toIncident(await findIncident(trx, id));
    if (incident.resolvedAt === null)
      throw new RoostError('conflict', 'resolve the incident before publishing its post-mortem');
    if (incident.postmortemPublishedAt !== null) throw alreadyPublished(id, incident.postmortemPublishedAt);
    if (!incident.postmortem?.trim())
      throw new RoostError('conflict', 'the incident has no post-mortem to publish');
    // Only while unpublished: of two publishings at once (two clicks, two API calls), one wins.
    const row = await trx
      .updateTable('incidents')
      .set({ status: 'postmortem', postmortem_published_at: now.getTime(), updated_at: now.getTime() })
      .where('id', '=', id)
      .where('postmortem_published_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw alreadyPublished(id, toIncident(await findIncident(trx, id)).postmortemPublishedAt);
    const { id: entryId } = await insertTimelineEntry(
      trx,
      {
        incident_id: id,
        at: now.getTime(),
        kind: 'update',
        source: actor.label,
        body: 'The post-mortem of this incident is published on the status page.',
        status: 'postmortem',
        public: 1,
      },
      now,
    );
    const published = toIncident(row);
    // Printed once now for the status pages and the mails, not per request.
    await postmortemChanged(trx, deps.jobs, published);
    await bumpStatusRevision(trx, await incidentInstanceIds(trx, id), now);
    if (deps.jobs) {
      await deps.jobs.enqueue(
        { queue: notifyQueue, payload: { entryId }, key: `notify:${entryId}` },
        { db: trx },
      );
      // One mail job per publication: published again after a reopening, it is mailed again.
      const publishedAt = now.getTime();
      await deps.jobs.enqueue(
        {
          queue: postmortemMailQueue,
          payload: { incidentId: id, publishedAt },
          key: `postmortem-mail:${id}@${publishedAt}`,
        },
        { db: trx },
      );
    }
    await deps.audit.append(
      { actor, action: 'incident.postmortem.publish', target: id, result: 'ok' },
      { db: trx },
    );
    return published;
  });
}
