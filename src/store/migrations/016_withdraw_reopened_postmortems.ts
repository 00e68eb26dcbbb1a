import { type Kysely, sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import type { MigrationContext } from '../migrate.ts';

/**
 * Withdraws the post-mortems of incidents reopened before reopening withdrew them (R24): still open, yet marked
 * published. As a reopening does now (src/incidents/withdraw-postmortem.ts): the publication time is cleared,
 * the stored PDF dropped, the public update that announced it made internal, an internal timeline entry says
 * so, and the status pages' revision moves. Unlike a reopening, it writes no audit event
 * (`incident.postmortem.withdraw`): the audit chain is appended by the running application with the vault's
 * key, which a migration does not have; the timeline entry and this migration's row are the record. It runs
 * before timeline entries are numbered (017_timeline_order), which numbers the entry written here.
 */
export async function up(db: Kysely<unknown>, { now }: MigrationContext): Promise<void> {
  const at = now();
  // The open statuses when this was written; a later change to what "open" means does not change this fix.
  const reopened = await sql<{ id: string; postmortem_published_at: number | string }>`
    SELECT id, postmortem_published_at FROM incidents
    WHERE postmortem_published_at IS NOT NULL AND status IN ('investigating', 'identified', 'monitoring')
    ORDER BY id`.execute(db);
  for (const incident of reopened.rows) {
    const publishedAt = Number(incident.postmortem_published_at);
    await sql`UPDATE incidents SET postmortem_published_at = NULL, updated_at = ${at}
      WHERE id = ${incident.id}`.execute(db);
    await sql`DELETE FROM postmortem_pdfs WHERE incident_id = ${incident.id}`.execute(db);
    // The announcement is the `postmortem` update publishing posted, dated at publication.
    await sql`UPDATE incident_timeline SET public = 0
      WHERE incident_id = ${incident.id} AND status = 'postmortem' AND public = 1 AND at = ${publishedAt}`.execute(
      db,
    );
    await sql`INSERT INTO incident_timeline (id, incident_id, at, kind, source, body, status, public, created_at)
      VALUES (${newId('tle', new Date(at))}, ${incident.id}, ${at}, 'status', 'upgrade',
        ${'Post-mortem withdrawn from the status pages by the upgrade of Roost: the incident had been reopened while it was published. It is a draft until it is published again.'},
        NULL, 0, ${at})`.execute(db);
    await sql`UPDATE status_pages SET revision = revision + 1, updated_at = ${at}
      WHERE instance_id IN (SELECT instance_id FROM incident_instances WHERE incident_id = ${incident.id})`.execute(
      db,
    );
  }
}
