import nodemailer from 'nodemailer';
import type { Mailer } from './mailer.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Plain SMTP even if the server offers STARTTLS: only for a relay on loopback. */
  ignoreTls: boolean;
  from: string;
}

/** The only file that knows nodemailer: a pooled SMTP transport behind the Mailer port. */
export function createSmtpMailer(settings: SmtpSettings): Mailer & { close(): void } {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ignoreTLS: settings.ignoreTls,
    pool: true,
    maxConnections: 2,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(message.headers ? { headers: message.headers } : {}),
      });
    },
    close: () => transport.close(),
  };
}
