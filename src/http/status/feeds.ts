import { renderMarkdown } from '../../core/markdown.ts';
import type { PublicIncident, StatusSnapshot } from '../../status/index.ts';

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** The incident's updates as sanitised HTML, newest first, the way Statuspage's feeds carry them. */
function content(incident: PublicIncident): string {
  return incident.updates
    .map(
      (update) =>
        `<p><strong>${update.status}</strong> ${update.at.toISOString()}</p>${renderMarkdown(update.body)}`,
    )
    .join('');
}

const lastChange = (incident: PublicIncident) => incident.updates[0]?.at ?? incident.updatedAt;

/** RSS 2.0 of the incident history. */
export function rssFeed(snapshot: StatusSnapshot, url: string): string {
  const items = snapshot.incidents
    .map(
      (incident) =>
        `<item><title>${xml(incident.name)}</title><link>${xml(`${url}/history#incident-${incident.id}`)}</link><guid isPermaLink="false">${incident.id}</guid><pubDate>${lastChange(incident).toUTCString()}</pubDate><description>${xml(content(incident))}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${xml(snapshot.name)} status</title><link>${xml(url)}</link><description>${xml(`Incident history of ${snapshot.name}`)}</description><lastBuildDate>${snapshot.updatedAt.toUTCString()}</lastBuildDate>${items}</channel></rss>\n`;
}

/** Atom 1.0 of the incident history. */
export function atomFeed(snapshot: StatusSnapshot, url: string): string {
  const entries = snapshot.incidents
    .map(
      (incident) =>
        `<entry><id>tag:roost,2026:${incident.id}</id><title>${xml(incident.name)}</title><updated>${lastChange(incident).toISOString()}</updated><published>${incident.createdAt.toISOString()}</published><link rel="alternate" type="text/html" href="${xml(`${url}/history#incident-${incident.id}`)}"/><content type="html">${xml(content(incident))}</content></entry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(url)}</id><title>${xml(snapshot.name)} status</title><updated>${snapshot.updatedAt.toISOString()}</updated><author><name>${xml(snapshot.name)}</name></author><link rel="self" href="${xml(`${url}/history.atom`)}"/><link rel="alternate" type="text/html" href="${xml(url)}"/>${entries}</feed>\n`;
}
