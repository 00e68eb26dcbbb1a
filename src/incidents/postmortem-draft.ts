import { type Incident, logbookFields, type TimelineEntry } from './records.ts';

const minute = 60_000;

function duration(from: Date, to: Date): string {
  const minutes = Math.max(0, Math.round((to.getTime() - from.getTime()) / minute));
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

/**
 * The first draft of a post-mortem (R24), from the logbook and the timeline: people review and edit it
 * before it is published. Markdown; times in UTC so the draft reads the same for everybody.
 */
export function draftPostmortem(
  incident: Incident,
  timeline: readonly TimelineEntry[],
  instances: readonly string[],
  resolvedAt: Date,
): string {
  const section = (title: string, text: string) =>
    `## ${title}\n\n${text.trim() === '' ? '_To be written._' : text.trim()}\n`;
  // The title is plain text everywhere else: keep it so in Markdown.
  const title = incident.title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = [
    `# Post-mortem: ${title}`,
    '',
    `- Severity: ${incident.severity}`,
    `- Started: ${incident.startedAt.toISOString()}`,
    `- Resolved: ${resolvedAt.toISOString()} (after ${duration(incident.startedAt, resolvedAt)})`,
    `- Instances: ${instances.length > 0 ? instances.join(', ') : 'none recorded'}`,
    '',
    section('Summary', incident.whatIsGoingOn),
    ...logbookFields.slice(1).map(([key, label]) => section(label, incident[key])),
    '## Timeline (UTC)',
    '',
    ...timeline.map(
      (entry) =>
        `- ${entry.at.toISOString().slice(0, 16).replace('T', ' ')} [${entry.kind}] ${entry.source}: ${entry.body.replace(/\s+/g, ' ').trim()}`,
    ),
    '',
  ];
  return lines.join('\n');
}
