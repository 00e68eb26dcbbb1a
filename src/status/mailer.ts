/** One mail; both parts are complete, the HTML one already sanitised. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** Sends mail (SMTP in production, a real SMTP server in tests). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
