export { alertTimeline } from './alert-timeline.ts';
export { type AppendTimelineEntryInput, appendTimelineEntry } from './append-timeline-entry.ts';
export { createIncident } from './create-incident.ts';
export { createIncidentFromAlert } from './create-incident-from-alert.ts';
export { type CustomerNotice, draftCustomerNotice } from './customer-notice.ts';
export type { IncidentDeps } from './deps.ts';
export { getIncident, type IncidentDetails } from './get-incident.ts';
export { listIncidents } from './list-incidents.ts';
export {
  mailPostmortem,
  postmortemMailQueue,
  registerPostmortemMailJobs,
} from './mail-postmortem.ts';
export {
  accountManagerQueue,
  notifyAccountManagers,
  registerAccountManagerJobs,
} from './notify-account-managers.ts';
export {
  type DocumentFormat,
  documentFormats,
  postmortemDocument,
  type RenderedDocument,
} from './postmortem-document.ts';
export { draftPostmortem } from './postmortem-draft.ts';
export { postmortemHtml } from './postmortem-html.ts';
export {
  type PostmortemPdfDeps,
  postmortemPdfQueue,
  publishedPostmortemPdf,
  registerPostmortemPdfJobs,
} from './postmortem-pdf.ts';
export { publishPostmortem } from './publish-postmortem.ts';
export {
  type Incident,
  type IncidentStatus,
  incidentStatuses,
  isOpenIncident,
  type LogbookField,
  logbookFields,
  manualIncidentStatuses,
  manualStatusSchema,
  openIncidentStatuses,
  type Severity,
  severities,
  type TimelineEntry,
  type TimelineKind,
  timelineKinds,
} from './records.ts';
export { type SentNotice, sendCustomerNotice } from './send-customer-notice.ts';
export { slaCsv, slaDocument, slaFormats, slaHtml } from './sla-document.ts';
export {
  checkSlaProjections,
  projectSla,
  recentWindowMs,
  registerSlaProjectionJobs,
  type SlaProjection,
  slaProjectionQueue,
} from './sla-projection.ts';
export { instanceSla, type SlaReport, slaReport } from './sla-report.ts';
export { updateIncident } from './update-incident.ts';
export { incidentSummaries } from './weekly-report-source.ts';
