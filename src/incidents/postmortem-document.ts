import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { renderMarkdown } from '../core/markdown.ts';
import { type DocumentPrinter, escapeHtml, printableHtml } from '../documents/index.ts';
import type { Store } from '../store/index.ts';
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

/** The post-mortem as a printable page: the Markdown rendered and sanitised, the title as text. */
export function postmortemHtml(incident: Incident): string {
  const draft = incident.postmortemPublishedAt === null;
  return printableHtml(
    `Post-mortem: ${incident.title}`,
    `${draft ? '<p class="draft">Draft: not published yet.</p>\n' : ''}${renderMarkdown(incident.postmortem ?? '')}
<p><small>Incident ${escapeHtml(incident.id)}${incident.postmortemPublishedAt ? `, published ${incident.postmortemPublishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}.</small></p>`,
  );
}

export async function renderPostmortem(
  incident: Incident,
  format: DocumentFormat,
  printer: DocumentPrinter | undefined,
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
  if (!printer) throw new RoostError('unavailable', 'PDF output needs Chromium, which this process has not');
  return { filename: `${base}.pdf`, contentType: 'application/pdf', content: await printer.print(html) };
}

/**
 * An incident's post-mortem as Markdown, HTML or PDF (`incidents:read`). A draft not published yet says so
 * on the page.
 */
export async function postmortemDocument(
  deps: { store: Store; printer?: DocumentPrinter | undefined },
  actor: Actor,
  input: z.input<typeof postmortemDocumentInput>,
): Promise<RenderedDocument> {
  authorize(actor, 'incidents:read');
  const { id, format } = parseInput(postmortemDocumentInput, input);
  const incident = toIncident(await findIncident(deps.store.db, id));
  if (!incident.postmortem?.trim())
    throw new RoostError('not_found', `incident ${id} has no post-mortem yet (resolve it first)`, { id });
  return renderPostmortem(incident, format, deps.printer);
}
