/**
 * Where a published post-mortem reads on a status page, under the page's address
 * (`https://{slug}.status.{domain}`, or `/s/{slug}` on the fallback route): the pages link it, and so do
 * their JSON and feeds and the mails that announce it.
 */
export const postmortemPath = (incidentId: string) => `/incidents/${incidentId}/postmortem`;

/** Where its stored PDF downloads. */
export const postmortemPdfPath = (incidentId: string) => `/incidents/${incidentId}/postmortem.pdf`;
