export type { Mailer, MailMessage } from '../notify/index.ts';
export { addComponent } from './add-component.ts';
export { advanceMaintenances, registerMaintenanceJobs } from './advance-maintenances.ts';
export { announceMaintenances, announcementLeads } from './announce-maintenances.ts';
export { cancelMaintenance } from './cancel-maintenance.ts';
export { configureStatusPage, type StatusPageSettings } from './configure-status-page.ts';
export { confirmSubscription, unsubscribe } from './confirm-subscription.ts';
export type { StatusDeps } from './deps.ts';
export { subscribersLifecycle } from './erase-subscribers.ts';
export { getStatusPage } from './get-status-page.ts';
export { insertInstanceRow } from './instance-row.ts';
export { listMaintenances } from './list-maintenances.ts';
export { type Maintenance, maintenanceQueue } from './maintenance-records.ts';
export { maintenanceWindows } from './maintenance-source.ts';
export { monitorHealth, monitorUptime } from './monitoring-sources.ts';
export {
  announceQueue,
  notifyQueue,
  notifySubscribers,
  registerSubscriberJobs,
} from './notify-subscribers.ts';
export {
  type ComponentHealthSource,
  type ComponentMonitors,
  noHealth,
  noUptime,
  type UptimeBucket,
  type UptimeSource,
} from './ports.ts';
export { postmortemPath, postmortemPdfPath } from './public-paths.ts';
export { type PublicPostmortemPdf, publicPostmortemPdf } from './public-postmortem-pdf.ts';
export {
  type MaintenanceState,
  maintenanceState,
  type PublicComponent,
  type PublicIncident,
  type PublicMaintenance,
  type PublicStatusDeps,
  type PublicUpdate,
  publicPageName,
  readPublicStatus,
  type StatusSnapshot,
  statusFingerprint,
} from './read-public-status.ts';
export {
  type Component,
  type ComponentStatus,
  componentStatuses,
  type Indicator,
  overallStatus,
} from './records.ts';
export { requestSubscription } from './request-subscription.ts';
export { bumpStatusRevision } from './revision.ts';
export { scheduleMaintenance } from './schedule-maintenance.ts';
export { setComponentStatus } from './set-component-status.ts';
export { rememberSettledDays } from './settled-days.ts';
export type { SubscriptionDeps } from './subscription-deps.ts';
export { downtimeWeight, type UptimeDay } from './uptime.ts';
