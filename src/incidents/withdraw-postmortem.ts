import type { Transaction } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { Database } from '../store/index.ts';
import type { IncidentDeps } from './deps.ts';
import type { Incident } from './records.ts';
import { recordOnTimeline } from './timeline.ts';

/**
 * Reopening an incident withdraws its published post-mortem, in the reopening's transaction: a post-mortem
 * of an incident still going on is not the last word. It is a draft again (no publication time, no stored
 * PDF), the public update that announced it leaves the status pages, the JSON and the feeds, and the
 * timeline and the audit trail say so. The caller bumps the pages' revision, so every cache renders them
 * again. Publishing it again later announces it and mails it again. Nothing happens to a draft.
 */
export async function withdrawPostmortem(
  trx: Transaction<Database>,
  deps: Pick<IncidentDeps, 'audit'>,
  actor: Actor,
  incident: Incident,
  now: Date,
): Promise<void> {
  const publishedAt = incident.postmortemPublishedAt;
  if (publishedAt === null) return;
  await trx
    .updateTable('incidents')
    .set({ postmortem_published_at: null, updated_at: now.getTime() })
    .where('id', '=', incident.id)
    .execute();
  await trx.deleteFrom('postmortem_pdfs').where('incident_id', '=', incident.id).execute();
  // The announcement is the `postmortem` update publishing posted, dated at publication; the rest of the
  // public history stays.
  const hidden = await trx
    .updateTable('incident_timeline')
    .set({ public: 0 })
    .where('incident_id', '=', incident.id)
    .where('status', '=', 'postmortem')
    .where('public', '=', 1)
    .where('at', '=', publishedAt.getTime())
    .returning('id')
    .execute();
  await recordOnTimeline(
    trx,
    deps.audit,
    {
      incidentId: incident.id,
      kind: 'status',
      body: 'Post-mortem withdrawn from the status pages: the incident is open again. It is a draft until it is published again.',
      actor,
      action: 'incident.postmortem.withdraw',
      details: {
        reason: 'reopened',
        publishedAt: publishedAt.toISOString(),
        hiddenUpdates: hidden.map((row) => row.id),
      },
    },
    now,
  );
}
