/** The Mailer port: notifications, reports and status-page mail go through it. */
export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  /** An HTML alternative, already sanitised. */
  html?: string;
  headers?: Record<string, string>;
  /** Files sent with the message (a post-mortem PDF, an SLA report). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close?(): void;
}
