import { DateTime } from 'luxon';
import type { WeeklyReport } from './compute-report.ts';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const percent = (value: number | null): string =>
  value === null ? 'no data' : `${(value * 100).toFixed(value === 1 ? 0 : 3)} %`;
export const ms = (value: number | null): string => (value === null ? 'no data' : `${value} ms`);

/** "+12 ms (slower)", "-0.010 points": this week against the previous one. */
export function trendOf(report: WeeklyReport): { uptime: string; p95: string } {
  const { current, previous } = report;
  const uptime =
    current.uptime === null || previous.uptime === null
      ? 'no comparison'
      : `${current.uptime >= previous.uptime ? '+' : ''}${((current.uptime - previous.uptime) * 100).toFixed(3)} points`;
  const p95 =
    current.p95Ms === null || previous.p95Ms === null
      ? 'no comparison'
      : `${current.p95Ms >= previous.p95Ms ? '+' : ''}${current.p95Ms - previous.p95Ms} ms${current.p95Ms > previous.p95Ms ? ' (slower)' : current.p95Ms < previous.p95Ms ? ' (faster)' : ''}`;
  return { uptime, p95 };
}

const at = (time: number, report: WeeklyReport, format: string) =>
  DateTime.fromMillis(time, { zone: report.timeZone }).toFormat(format);

/**
 * The week as an inline SVG (no script, no external image): a bar per day for uptime (full height is
 * 100 %, the bottom is 99 %) and a line for the day's p95 response time.
 */
export function reportChart(report: WeeklyReport): string {
  const width = 560;
  const height = 160;
  const plot = { left: 40, top: 10, width: 500, height: 120 };
  const slot = plot.width / 7;
  const maxP95 = Math.max(1, ...report.days.map((day) => day.p95Ms ?? 0));
  const bars = report.days
    .map((day, index) => {
      const x = plot.left + index * slot + slot * 0.15;
      const label = `<text x="${(x + slot * 0.35).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="10" fill="currentColor">${at(day.day, report, 'ccc d')}</text>`;
      if (day.uptime === null) return label;
      const share = Math.max(0, Math.min(1, (day.uptime - 0.99) / 0.01));
      const barHeight = Math.max(1, share * plot.height);
      return `<rect x="${x.toFixed(1)}" y="${(plot.top + plot.height - barHeight).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="#2e7d32" fill-opacity="0.35"><title>${percent(day.uptime)}</title></rect>${label}`;
    })
    .join('');
  const points = report.days
    .map((day, index) =>
      day.p95Ms === null
        ? null
        : `${(plot.left + index * slot + slot / 2).toFixed(1)},${(plot.top + plot.height - (day.p95Ms / maxP95) * plot.height).toFixed(1)}`,
    )
    .filter((point) => point !== null);
  const line =
    points.length > 0
      ? `<polyline points="${points.join(' ')}" fill="none" stroke="#1565c0" stroke-width="2"></polyline>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Uptime per day (bars, 99 to 100 %) and p95 response time (line, up to ${maxP95} ms)">
<line x1="${plot.left}" y1="${plot.top + plot.height}" x2="${plot.left + plot.width}" y2="${plot.top + plot.height}" stroke="currentColor" stroke-opacity="0.3"></line>
<text x="${plot.left - 4}" y="${plot.top + 8}" text-anchor="end" font-size="10" fill="currentColor">${maxP95} ms</text>
${bars}${line}</svg>`;
}

/** Plain text for the mail and the CLI. */
export function reportText(report: WeeklyReport): string {
  const trend = trendOf(report);
  const lines = [
    `Weekly report ${report.week} for ${report.instance.slug} (${report.instance.customer})`,
    `${at(report.from, report, 'ccc d LLL yyyy HH:mm')} to ${at(report.to, report, 'ccc d LLL yyyy HH:mm')} (${report.timeZone})`,
    '',
    `Uptime          ${percent(report.current.uptime)} (${report.current.checks} checks, ${report.current.failures} failed); ${trend.uptime} against ${report.previous.week}`,
    `Response time   p50 ${ms(report.current.p50Ms)}, p95 ${ms(report.current.p95Ms)}; p95 ${trend.p95} against ${report.previous.week}`,
    `Incidents       ${report.incidents.length}`,
    ...report.incidents.map(
      (incident) =>
        `  - [${incident.severity}] ${incident.title} (${at(incident.startedAt, report, 'ccc d LLL HH:mm')})`,
    ),
    'Slowest checks',
    ...(report.slowest.length === 0
      ? ['  none']
      : report.slowest.map(
          (slow) =>
            `  - ${slow.monitor}: ${slow.latencyMaxMs} ms (hour of ${at(slow.hour, report, 'ccc d LLL HH:mm')})`,
        )),
    'Monitors',
    ...report.monitors.map(
      (monitor) => `  - ${monitor.name}: ${percent(monitor.uptime)}, p95 ${ms(monitor.p95Ms)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** HTML for the mail and the UI page: the same figures, with the chart inline. */
export function reportHtml(report: WeeklyReport): string {
  const trend = trendOf(report);
  const row = (name: string, value: string) =>
    `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`;
  return `<h2>${escapeHtml(`${report.instance.slug}, week ${report.week}`)}</h2>
<p>${escapeHtml(`${report.instance.customer}: ${at(report.from, report, 'ccc d LLL yyyy')} to ${at(report.to - 1, report, 'ccc d LLL yyyy')} (${report.timeZone})`)}</p>
<table><tbody>
${row('Uptime', `${percent(report.current.uptime)} (${report.current.checks} checks, ${report.current.failures} failed)`)}
${row(`Uptime against ${report.previous.week}`, trend.uptime)}
${row('Response time p50', ms(report.current.p50Ms))}
${row('Response time p95', ms(report.current.p95Ms))}
${row(`p95 against ${report.previous.week}`, trend.p95)}
${row('Incidents', String(report.incidents.length))}
</tbody></table>
${reportChart(report)}
<h3>Incidents</h3>
${report.incidents.length === 0 ? '<p>None.</p>' : `<ul>${report.incidents.map((incident) => `<li>[${escapeHtml(incident.severity)}] ${escapeHtml(incident.title)} (${escapeHtml(at(incident.startedAt, report, 'ccc d LLL HH:mm'))})</li>`).join('')}</ul>`}
<h3>Slowest checks</h3>
${report.slowest.length === 0 ? '<p>None.</p>' : `<ul>${report.slowest.map((slow) => `<li>${escapeHtml(slow.monitor)}: ${slow.latencyMaxMs} ms (hour of ${escapeHtml(at(slow.hour, report, 'ccc d LLL HH:mm'))})</li>`).join('')}</ul>`}
<h3>Monitors</h3>
<ul>${report.monitors.map((monitor) => `<li>${escapeHtml(monitor.name)}: ${escapeHtml(percent(monitor.uptime))}, p95 ${escapeHtml(ms(monitor.p95Ms))}</li>`).join('')}</ul>`;
}
