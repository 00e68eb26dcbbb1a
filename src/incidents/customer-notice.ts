import { markdownToText } from '../core/markdown.ts';
import type { Incident } from './records.ts';

export interface CustomerNotice {
  subject: string;
  /** Plain text, ready to paste or send. */
  body: string;
}

/**
 * The message an account manager sends the customer at once (R24): the issue, its impacts and when we
 * expect it resolved. Drafted from the logbook; the manager reads it, adjusts and sends it.
 */
export function draftCustomerNotice(
  incident: Incident,
  customer: string,
  options: { statusPageUrl?: string; estimatedResolution?: string } = {},
): CustomerNotice {
  const issue = markdownToText(incident.whatIsGoingOn) || markdownToText(incident.title);
  const impacts =
    markdownToText(incident.impacts) ||
    'We are assessing the impact on your service and will tell you shortly.';
  const eta =
    options.estimatedResolution ??
    'We will send an estimated resolution time in our next update, within the hour.';
  const lines = [
    `Hello ${customer},`,
    '',
    `We are handling an incident on your service since ${incident.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `The issue: ${issue}`,
    '',
    `The impacts: ${impacts}`,
    '',
    `Estimated resolution: ${eta}`,
    '',
    ...(options.statusPageUrl ? [`Follow it live on your status page: ${options.statusPageUrl}`, ''] : []),
    'We will keep you informed until it is resolved, and send you a post-mortem afterwards.',
  ];
  return { subject: `Incident on your service: ${markdownToText(incident.title)}`, body: lines.join('\n') };
}
