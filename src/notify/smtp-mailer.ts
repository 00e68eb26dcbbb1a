import nodemailer from 'nodemailer';
import type { Mailer } from './mailer.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it, unless `ignoreTls`. */
  secure?: boolean;
  ignoreTls?: boolean;
  from: string;
  auth?: { user: string; pass: string };
  timeoutMs?: number;
}

/** The nodemailer adapter of the Mailer port: the only file that imports nodemailer. */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const timeout = settings.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? false,
    ignoreTLS: settings.ignoreTls ?? false,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // A few kept connections: a public incident update mails every subscriber of the page.
    pool: true,
    maxConnections: 2,
    ...(settings.auth ? { auth: settings.auth } : {}),
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        ...(message.headers ? { headers: message.headers } : {}),
        ...(message.attachments
          ? {
              attachments: message.attachments.map(({ filename, contentType, content }) => ({
                filename,
                contentType,
                content,
              })),
            }
          : {}),
      });
    },
    close: () => transport.close(),
  };
}
