export { createWebhookChannel, deleteChannel, listChannels, type WebhookChannel } from './channels.ts';
export type { NotifyDeps } from './deps.ts';
export {
  currentPolicy,
  type EscalationPolicy,
  getEscalationPolicy,
  setEscalationPolicy,
} from './escalation-policy.ts';
export { listDeliveries } from './list-deliveries.ts';
export type { Mailer, MailMessage } from './mailer.ts';
export { type Notification, renderNotification } from './messages.ts';
export { Notifier, type NotifierOptions } from './notifier.ts';
export {
  addOverride,
  createSchedule,
  listSchedules,
  type OnCallSchedule,
  scheduleCalendar,
  whoIsOnCall,
} from './schedules.ts';
export { createSmtpMailer, type SmtpSettings } from './smtp-mailer.ts';
