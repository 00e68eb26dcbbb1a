/** Where an incident stands, in Statuspage's words (the public JSON uses them as they are). */
export const incidentStatuses = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'postmortem',
] as const;

export type IncidentStatus = (typeof incidentStatuses)[number];

/**
 * The statuses people give an incident or an update. `postmortem` is not one: it comes only from publishing
 * the post-mortem, so on the status pages it always means a post-mortem anyone can read.
 */
export const manualIncidentStatuses = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
] as const satisfies readonly IncidentStatus[];

/** An incident still going on: neither resolved nor closed with its post-mortem published. */
export function isOpenIncident(status: IncidentStatus): boolean {
  return status !== 'resolved' && status !== 'postmortem';
}

/** The statuses `isOpenIncident` accepts, for queries (`status in …`): the same rule, written once. */
export const openIncidentStatuses: readonly IncidentStatus[] = incidentStatuses.filter(isOpenIncident);
