import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import type { DocumentPrinter } from '../documents/index.ts';
import { postmortemHtml } from './postmortem-html.ts';
import { type PostmortemPdfDeps, publishedPostmortemPdf } from './postmortem-pdf.ts';
import { findIncident, type Incident, incidentIdSchema, toIncident } from './records.ts';

export const documentFormats = ['markdown', 'html', 'pdf'] as const;
export type DocumentFormat = (typeof documentFormats)[number];

/** A file for download or attachment. */
export interface RenderedDocument {
  filename: string;
  contentType: string;
  content: Buffer;
}

const postmortemDocumentInput = z.object({ id: incidentIdSchema, format: z.enum(documentFormats) });

/**
 * One format of a post-mortem. The PDF of a published one is printed once and stored (the status pages serve
 * it); a draft's is printed each time, for the people reviewing it.
 */
export async function renderPostmortem(
  deps: PostmortemPdfDeps,
  incident: Incident,
  format: DocumentFormat,
): Promise<RenderedDocument> {
  const base = `postmortem-${incident.id}`;
  if (format === 'markdown')
    return {
      filename: `${base}.md`,
      contentType: 'text/markdown; charset=utf-8',
      content: Buffer.from(incident.postmortem ?? ''),
    };
  const html = postmortemHtml(incident);
  if (format === 'html')
    return { filename: `${base}.html`, contentType: 'text/html; charset=utf-8', content: Buffer.from(html) };
  if (incident.postmortemPublishedAt !== null) {
    const { content } = await publishedPostmortemPdf(deps, incident);
    return { filename: `${base}.pdf`, contentType: 'application/pdf', content };
  }
  if (!deps.printer)
    throw new RoostError('unavailable', 'PDF output needs Chromium, which this process has not');
  return { filename: `${base}.pdf`, contentType: 'application/pdf', content: await deps.printer.print(html) };
}

/**
 * An incident's post-mortem as Markdown, HTML or PDF (`incidents:read`). A draft not published yet says so
 * on the page.
 */
export async function postmortemDocument(
  deps: Omit<PostmortemPdfDeps, 'printer'> & { printer?: DocumentPrinter | undefined },
  actor: Actor,
  input: z.input<typeof postmortemDocumentInput>,
): Promise<RenderedDocument> {
  authorize(actor, 'incidents:read');
  const { id, format } = parseInput(postmortemDocumentInput, input);
  const incident = toIncident(await findIncident(deps.store.db, id));
  if (!incident.postmortem?.trim())
    throw new RoostError('not_found', `incident ${id} has no post-mortem yet (resolve it first)`, { id });
  return renderPostmortem({ ...deps, printer: deps.printer }, incident, format);
}
