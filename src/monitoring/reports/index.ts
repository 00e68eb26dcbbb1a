export { computeWeeklyReport, type IncidentSummarySource, type WeeklyReport } from './compute-report.ts';
export { getWeeklyReport, type ReportDeps } from './get-weekly-report.ts';
export { ms, percent, reportChart, reportHtml, reportText, trendOf } from './render-report.ts';
export {
  registerWeeklyReportJobs,
  sendWeeklyReports,
  type WeeklyMailDeps,
  weeklyReportCron,
  weeklyReportQueue,
} from './send-weekly-reports.ts';
export { type Week, weekBefore, weekOf, weekRange } from './week.ts';
