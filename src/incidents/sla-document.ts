import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { type DocumentPrinter, escapeHtml, printableHtml } from '../documents/index.ts';
import type { UptimeSource } from '../status/index.ts';
import type { Store } from '../store/index.ts';
import type { RenderedDocument } from './postmortem-document.ts';
import { type SlaReport, slaReport } from './sla-report.ts';

export const slaFormats = ['csv', 'html', 'pdf'] as const;

const duration = (seconds: number) => {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};
const percent = (value: number | null) => (value === null ? 'no data' : `${value.toFixed(3)}%`);
const verdict = (report: SlaReport) => (report.met === null ? 'no data' : report.met ? 'met' : 'missed');

/** One header line and one row: what a spreadsheet needs. */
export function slaCsv(report: SlaReport): string {
  const columns: Array<[string, string | number]> = [
    ['instance', report.slug],
    ['customer', report.customer],
    ['month', report.month],
    ['time_zone', report.timeZone],
    ['target_percent', report.target],
    ['uptime_percent', report.uptime === null ? '' : report.uptime.toFixed(4)],
    ['result', verdict(report)],
    ['period_seconds', report.periodSeconds],
    ['maintenance_seconds', report.excludedSeconds],
    ['measured_seconds', Math.round(report.measuredSeconds)],
    ['downtime_seconds', Math.round(report.downtimeSeconds)],
    ['allowed_downtime_seconds', Math.round(report.allowedDowntimeSeconds)],
    ['coverage_percent', report.coverage.toFixed(2)],
    ['month_complete', report.partial ? 'no' : 'yes'],
  ];
  const cell = (value: string | number) => {
    const text = String(value);
    // A leading =, +, - or @ would be a formula in a spreadsheet: quote it as text.
    const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
    return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return `${columns.map(([name]) => name).join(',')}\n${columns.map(([, value]) => cell(value)).join(',')}\n`;
}

/** A printable one-page report; the PDF is this page printed by Chromium. */
export function slaHtml(report: SlaReport): string {
  const rows: Array<[string, string]> = [
    ['Customer', report.customer],
    ['Month', `${report.month} (${report.timeZone}${report.partial ? ', so far' : ''})`],
    ['Uptime', percent(report.uptime)],
    ['Target', `${report.target}%`],
    ['Result', verdict(report)],
    ['Downtime (weighted)', duration(report.downtimeSeconds)],
    ['Downtime the target allows', duration(report.allowedDowntimeSeconds)],
    ['Maintenance (excluded)', duration(report.excludedSeconds)],
    ['Time with check data', `${report.coverage.toFixed(1)}%`],
  ];
  return printableHtml(
    `SLA ${report.slug} ${report.month}`,
    `<h1>SLA report: ${escapeHtml(report.slug)}, ${report.month}</h1>
<table>${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td${name === 'Result' ? ` class="${verdict(report)}"` : ''}>${escapeHtml(value)}</td></tr>`).join('')}</table>
<h2>Maintenance windows</h2>
${report.maintenances.length === 0 ? '<p>None.</p>' : `<ul>${report.maintenances.map((entry) => `<li>${escapeHtml(entry.title)}: ${entry.start.toISOString()} → ${entry.end.toISOString()}</li>`).join('')}</ul>`}
<p>Partial outages count for 30% of their time, degraded performance for none; maintenance is left out of the measured time.</p>`,
  );
}

const slaDocumentInput = z.object({ slug: z.string(), month: z.string(), format: z.enum(slaFormats) });

/** An instance's monthly SLA report as CSV, HTML or PDF (`incidents:read`). */
export async function slaDocument(
  deps: {
    store: Store;
    clock: Clock;
    uptime: UptimeSource;
    timeZone: string;
    printer?: DocumentPrinter | undefined;
  },
  actor: Actor,
  input: z.input<typeof slaDocumentInput>,
): Promise<RenderedDocument> {
  const { format, ...rest } = parseInput(slaDocumentInput, input);
  const report = await slaReport(deps, actor, rest);
  const base = `sla-${report.slug}-${report.month}`;
  if (format === 'csv')
    return {
      filename: `${base}.csv`,
      contentType: 'text/csv; charset=utf-8',
      content: Buffer.from(slaCsv(report)),
    };
  const html = slaHtml(report);
  if (format === 'html')
    return { filename: `${base}.html`, contentType: 'text/html; charset=utf-8', content: Buffer.from(html) };
  if (!deps.printer)
    throw new RoostError('unavailable', 'PDF output needs Chromium, which this process has not');
  return { filename: `${base}.pdf`, contentType: 'application/pdf', content: await deps.printer.print(html) };
}
