import { markdownToText, renderMarkdown } from '../core/markdown.ts';
import type { MailMessage } from '../notify/index.ts';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Every subscriber mail carries its unsubscribe link in the text and in the headers (RFC 2369, RFC 8058). */
function withUnsubscribe(message: Omit<MailMessage, 'headers'>, unsubscribeUrl: string): MailMessage {
  return {
    ...message,
    text: `${message.text}\n\nUnsubscribe: ${unsubscribeUrl}\n`,
    html: `${message.html}<hr><p><a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe</a></p>`,
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

export function confirmationMail(to: string, name: string, confirmUrl: string): MailMessage {
  return {
    to,
    subject: `Confirm your subscription to ${name} status`,
    text: `Someone, hopefully you, asked for ${name} status updates at this address.\n\nConfirm: ${confirmUrl}\n\nIf it was not you, ignore this mail: nothing more will be sent.\n`,
    html: `<p>Someone, hopefully you, asked for ${escapeHtml(name)} status updates at this address.</p><p><a href="${escapeHtml(confirmUrl)}">Confirm the subscription</a></p><p>If it was not you, ignore this mail: nothing more will be sent.</p>`,
  };
}

export function alreadySubscribedMail(
  to: string,
  name: string,
  pageUrl: string,
  unsubscribeUrl: string,
): MailMessage {
  return withUnsubscribe(
    {
      to,
      subject: `You already receive ${name} status updates`,
      text: `This address already receives ${name} status updates (${pageUrl}).`,
      html: `<p>This address already receives <a href="${escapeHtml(pageUrl)}">${escapeHtml(name)} status</a> updates.</p>`,
    },
    unsubscribeUrl,
  );
}

/** A public incident update; the one announcing a published post-mortem links the post-mortem's page too. */
export function updateMail(
  to: string,
  update: {
    name: string;
    title: string;
    status: string;
    body: string;
    pageUrl: string;
    postmortemUrl?: string | undefined;
  },
  unsubscribeUrl: string,
): MailMessage {
  const status = update.status.replace(/_/g, ' ');
  const postmortem = update.postmortemUrl;
  return withUnsubscribe(
    {
      to,
      subject: `[${update.name} status] ${markdownToText(update.title)}: ${status}`,
      text: `${markdownToText(update.title)} (${status})\n\n${markdownToText(update.body)}\n\n${postmortem ? `Post-mortem: ${postmortem}\n` : ''}Status page: ${update.pageUrl}`,
      html: `<h2>${escapeHtml(update.title)}</h2><p><strong>${escapeHtml(status)}</strong></p>${renderMarkdown(update.body)}<p>${postmortem ? `<a href="${escapeHtml(postmortem)}">Read the post-mortem</a> · ` : ''}<a href="${escapeHtml(update.pageUrl)}">Status page</a></p>`,
    },
    unsubscribeUrl,
  );
}

type MaintenanceWindowMail = {
  name: string;
  title: string;
  body: string;
  startsAt: Date;
  endsAt: Date;
  pageUrl: string;
};

function maintenanceMessage(to: string, window: MaintenanceWindowMail): Omit<MailMessage, 'headers'> {
  const when = `${window.startsAt.toISOString().slice(0, 16).replace('T', ' ')} to ${window.endsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return {
    to,
    subject: `[${window.name} status] Scheduled maintenance: ${window.title}`,
    text: `${window.title}\n${when}\n\n${markdownToText(window.body)}\n\nStatus page: ${window.pageUrl}`,
    html: `<h2>${escapeHtml(window.title)}</h2><p><strong>${escapeHtml(when)}</strong></p>${renderMarkdown(window.body)}<p><a href="${escapeHtml(window.pageUrl)}">Status page</a></p>`,
  };
}

export function maintenanceMail(
  to: string,
  window: MaintenanceWindowMail,
  unsubscribeUrl: string,
): MailMessage {
  return withUnsubscribe(maintenanceMessage(to, window), unsubscribeUrl);
}

/** The same announcement for a customer contact: their account manager manages the list, no unsubscribe link. */
export function contactMaintenanceMail(to: string, window: MaintenanceWindowMail): MailMessage {
  return maintenanceMessage(to, window);
}
