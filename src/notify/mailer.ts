/** The Mailer port: notifications, reports and status-page mail go through it. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  /** An HTML alternative, already sanitised. */
  html?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close?(): void;
}
