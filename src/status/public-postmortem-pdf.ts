import { asBuffer } from '../store/index.ts';
import { liveInstance, type PublicStatusDeps } from './read-public-status.ts';

/** A stored post-mortem PDF as the status pages serve it; the bytes are read only when needed. */
export interface PublicPostmortemPdf {
  /** SHA-256 (hex) of the bytes. */
  sha256: string;
  size: number;
  /** The bytes; undefined when the PDF was replaced since (printed again after an edit). */
  content(): Promise<Buffer | undefined>;
}

/**
 * The PDF of a post-mortem published for this page's instance, or undefined: unknown or decommissioned
 * page, incident not on this instance, post-mortem not published, or PDF not printed yet. Public by design,
 * like the page; a draft never has a stored PDF and is refused here all the same.
 */
export async function publicPostmortemPdf(
  deps: Pick<PublicStatusDeps, 'store'>,
  slug: string,
  incidentId: string,
): Promise<PublicPostmortemPdf | undefined> {
  const { db } = deps.store;
  const instance = await liveInstance(db, slug);
  if (!instance) return undefined;
  const row = await db
    .selectFrom('postmortem_pdfs')
    .innerJoin('incidents', 'incidents.id', 'postmortem_pdfs.incident_id')
    .innerJoin('incident_instances', 'incident_instances.incident_id', 'incidents.id')
    .select(['postmortem_pdfs.sha256', 'postmortem_pdfs.size'])
    .where('postmortem_pdfs.incident_id', '=', incidentId)
    .where('incident_instances.instance_id', '=', instance.id)
    .where('incidents.postmortem_published_at', 'is not', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    sha256: row.sha256,
    size: Number(row.size),
    content: async () => {
      const stored = await db
        .selectFrom('postmortem_pdfs')
        .select('content')
        .where('incident_id', '=', incidentId)
        .where('sha256', '=', row.sha256)
        .executeTakeFirst();
      return stored && asBuffer(stored.content);
    },
  };
}
