import { renderMarkdown } from '../../core/markdown.ts';
import { type PublicIncident, postmortemPath, type StatusSnapshot } from '../../status/index.ts';

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

/** One item of both feeds; `key` is what readers remember it by (RSS guid, Atom id). */
interface FeedEntry {
  key: string;
  title: string;
  link: string;
  published: Date;
  updated: Date;
  /** Sanitised HTML. */
  html: string;
}

/**
 * Each incident, preceded by its published post-mortem as an item of its own (dated at publication, linking
 * the post-mortem's page): readers show an item they have not seen as new, while a change to an item already
 * read goes unnoticed. Drafts are not in the snapshot.
 */
function entriesOf(snapshot: StatusSnapshot, url: string): FeedEntry[] {
  return snapshot.incidents.flatMap((incident) => {
    const entry: FeedEntry = {
      key: incident.id,
      title: incident.name,
      link: `${url}/history#incident-${incident.id}`,
      published: incident.createdAt,
      updated: lastChange(incident),
      html: content(incident),
    };
    const publishedAt = incident.postmortemPublishedAt;
    if (incident.postmortem === null || publishedAt === null) return [entry];
    const postmortem: FeedEntry = {
      key: `${incident.id}/postmortem`,
      title: `Post-mortem: ${incident.name}`,
      link: `${url}${postmortemPath(incident.id)}`,
      published: publishedAt,
      updated: publishedAt,
      html: renderMarkdown(incident.postmortem),
    };
    return [postmortem, entry];
  });
}

/** RSS 2.0 of the incident history. */
export function rssFeed(snapshot: StatusSnapshot, url: string): string {
  const items = entriesOf(snapshot, url)
    .map(
      (entry) =>
        `<item><title>${xml(entry.title)}</title><link>${xml(entry.link)}</link><guid isPermaLink="false">${xml(entry.key)}</guid><pubDate>${entry.updated.toUTCString()}</pubDate><description>${xml(entry.html)}</description></item>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${xml(snapshot.name)} status</title><link>${xml(url)}</link><description>${xml(`Incident history of ${snapshot.name}`)}</description><lastBuildDate>${snapshot.updatedAt.toUTCString()}</lastBuildDate>${items}</channel></rss>\n`;
}

/** Atom 1.0 of the incident history. */
export function atomFeed(snapshot: StatusSnapshot, url: string): string {
  const entries = entriesOf(snapshot, url)
    .map(
      (entry) =>
        `<entry><id>${xml(`tag:roost,2026:${entry.key}`)}</id><title>${xml(entry.title)}</title><updated>${entry.updated.toISOString()}</updated><published>${entry.published.toISOString()}</published><link rel="alternate" type="text/html" href="${xml(entry.link)}"/><content type="html">${xml(entry.html)}</content></entry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(url)}</id><title>${xml(snapshot.name)} status</title><updated>${snapshot.updatedAt.toISOString()}</updated><author><name>${xml(snapshot.name)}</name></author><link rel="self" href="${xml(`${url}/history.atom`)}"/><link rel="alternate" type="text/html" href="${xml(url)}"/>${entries}</feed>\n`;
}
