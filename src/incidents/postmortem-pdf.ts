import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import type { DocumentPrinter } from '../documents/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import { bumpStatusRevision } from '../status/index.ts';
import { asBuffer, type Database, type Store } from '../store/index.ts';
import { postmortemHtml } from './postmortem-html.ts';
import { findIncident, type Incident, incidentInstanceIds, toIncident } from './records.ts';

/** Prints a published post-mortem once and stores it for the status pages (R24). */
export const postmortemPdfQueue = 'incidents.postmortem-pdf';

export interface PostmortemPdfDeps {
  store: Store;
  clock: Clock;
  printer: DocumentPrinter | undefined;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** What a stored PDF was printed from: the printable page, so a change to its text, title or date shows. */
const sourceOf = (incident: Incident) => sha256(postmortemHtml(incident));

/**
 * In the transaction of every change to a published post-mortem (publishing, editing its text or title): a
 * stored PDF of another version is dropped at once, so no page serves a PDF that disagrees with the text,
 * and a job prints the new one. Nothing happens for drafts or when the printable page did not change.
 */
export async function postmortemChanged(
  trx: Kysely<Database>,
  jobs: Jobs | undefined,
  incident: Incident,
): Promise<void> {
  if (incident.postmortemPublishedAt === null || !incident.postmortem?.trim()) return;
  const stored = await trx
    .selectFrom('postmortem_pdfs')
    .select('source_sha256')
    .where('incident_id', '=', incident.id)
    .executeTakeFirst();
  if (stored?.source_sha256 === sourceOf(incident)) return;
  if (stored) await trx.deleteFrom('postmortem_pdfs').where('incident_id', '=', incident.id).execute();
  await jobs?.enqueue({ queue: postmortemPdfQueue, payload: { incidentId: incident.id } }, { db: trx });
}

/**
 * The PDF of a published post-mortem: the stored copy when it was printed from the current text, otherwise
 * printed now and stored (the status pages then link it). Throws `unavailable` without a working Chromium.
 */
export async function publishedPostmortemPdf(
  deps: PostmortemPdfDeps,
  incident: Incident,
): Promise<{ content: Buffer; printed: boolean }> {
  if (incident.postmortemPublishedAt === null)
    throw new RoostError('conflict', `the post-mortem of ${incident.id} is not published`);
  const html = postmortemHtml(incident);
  const source = sha256(html);
  const stored = await deps.store.db
    .selectFrom('postmortem_pdfs')
    .select(['source_sha256', 'content'])
    .where('incident_id', '=', incident.id)
    .executeTakeFirst();
  if (stored?.source_sha256 === source) return { content: asBuffer(stored.content), printed: false };
  if (!deps.printer)
    throw new RoostError('unavailable', 'PDF output needs Chromium, which this process has not');
  const content = await deps.printer.print(html);
  const now = deps.clock.now();
  await deps.store.db.transaction().execute(async (trx) => {
    // Edited while it printed: the edit queued a print of its own; this copy is of a text no longer shown.
    const current = toIncident(await findIncident(trx, incident.id));
    if (current.postmortemPublishedAt === null || sourceOf(current) !== source) return;
    const values = {
      source_sha256: source,
      sha256: sha256(content),
      size: content.length,
      content,
      created_at: now.getTime(),
    };
    await trx
      .insertInto('postmortem_pdfs')
      .values({ incident_id: incident.id, ...values })
      .onConflict((conflict) => conflict.column('incident_id').doUpdateSet(values))
      .execute();
    // The pages of the instances it touched gain the PDF link.
    await bumpStatusRevision(trx, await incidentInstanceIds(trx, incident.id), now);
  });
  return { content, printed: true };
}

export function registerPostmortemPdfJobs(
  deps: PostmortemPdfDeps & { jobs: Jobs; logger?: Logger | undefined },
): void {
  deps.jobs.work(postmortemPdfQueue, async (job) => {
    const { incidentId } = job.payload as { incidentId: string };
    const started = performance.now();
    const incident = toIncident(await findIncident(deps.store.db, incidentId));
    if (incident.postmortemPublishedAt === null || !incident.postmortem?.trim())
      return { printed: false, reason: 'not published' };
    const { content, printed } = await publishedPostmortemPdf(deps, incident);
    const ms = Math.round(performance.now() - started);
    deps.logger?.info({ incident: incidentId, bytes: content.length, printed, ms }, 'post-mortem PDF stored');
    return { printed, bytes: content.length, ms };
  });
}
