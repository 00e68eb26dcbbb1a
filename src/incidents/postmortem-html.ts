import { renderMarkdown } from '../core/markdown.ts';
import { escapeHtml, printableHtml } from '../documents/index.ts';
import type { Incident } from './records.ts';

/** The post-mortem as a printable page: the Markdown rendered and sanitised, the title as text. */
export function postmortemHtml(incident: Incident): string {
  const draft = incident.postmortemPublishedAt === null;
  return printableHtml(
    `Post-mortem: ${incident.title}`,
    `${draft ? '<p class="draft">Draft: not published yet.</p>\n' : ''}${renderMarkdown(incident.postmortem ?? '')}
<p><small>Incident ${escapeHtml(incident.id)}${incident.postmortemPublishedAt ? `, published ${incident.postmortemPublishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}.</small></p>`,
  );
}
