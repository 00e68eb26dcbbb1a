import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { componentStatuses } from '../../status/index.ts';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface ComponentBody {
  id: string;
  name: string;
  manualStatus: string | null;
  monitorIds: string[];
}

interface MaintenanceBody {
  id: string;
  title: string;
  state: string;
  startsAt: string;
  endsAt: string;
  inBusinessHours: boolean;
}

interface SlaBody {
  slug: string;
  customer: string;
  month: string;
  timeZone: string;
  from: string;
  to: string;
  target: number;
  periodSeconds: number;
  excludedSeconds: number;
  measuredSeconds: number;
  downtimeSeconds: number;
  allowedDowntimeSeconds: number;
  uptime: number | null;
  coverage: number;
  met: boolean | null;
  partial: boolean;
  maintenances: Array<{ title: string; start: string; end: string }>;
}

const duration = (seconds: number) => {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

const percent = (value: number | null) => (value === null ? 'no data' : `${value.toFixed(3)}%`);
const verdict = (report: SlaBody) => (report.met === null ? 'no data' : report.met ? 'met' : 'missed');

/** One header line and one row: what a spreadsheet needs. */
export function slaCsv(report: SlaBody): string {
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
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${columns.map(([name]) => name).join(',')}\n${columns.map(([, value]) => cell(value)).join(',')}\n`;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A printable one-page report (print it to PDF from a browser or with Chromium). */
export function slaHtml(report: SlaBody): string {
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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SLA ${escapeHtml(report.slug)} ${report.month}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:2rem auto;color:#1b1f24}th{text-align:left;padding:.3rem 1.5rem .3rem 0;font-weight:600}td{padding:.3rem 0}.met{color:#1f7a43}.missed{color:#b42318}</style></head>
<body><h1>SLA report: ${escapeHtml(report.slug)}, ${report.month}</h1>
<table>${rows.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td${name === 'Result' ? ` class="${verdict(report)}"` : ''}>${escapeHtml(value)}</td></tr>`).join('')}</table>
<h2>Maintenance windows</h2>
${report.maintenances.length === 0 ? '<p>None.</p>' : `<ul>${report.maintenances.map((entry) => `<li>${escapeHtml(entry.title)}: ${entry.start} → ${entry.end}</li>`).join('')}</ul>`}
<p>Partial outages count for 30% of their time, degraded performance for none; maintenance is left out of the measured time (R26).</p>
</body></html>
`;
}

export function registerStatus(program: Command): void {
  const page = program
    .command('status-page')
    .description("instances' public status pages: settings and components");
  page
    .command('show <slug>')
    .description('the page settings and its components')
    .action(async (slug: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const shown = await client.call<{
          settings: { name: string; logoUrl: string | null; slaTarget: number };
          components: ComponentBody[];
        }>('status.pages.get', { slug });
        output.result(shown, () =>
          [
            `${shown.settings.name}; SLA target ${shown.settings.slaTarget}%; logo ${shown.settings.logoUrl ?? '(none)'}`,
            table([
              ['COMPONENT', 'ID', 'MANUAL STATUS', 'MONITORS'],
              ...shown.components.map((component) => [
                component.name,
                component.id,
                component.manualStatus ?? '—',
                component.monitorIds.join(' '),
              ]),
            ]),
          ].join('\n'),
        );
      }),
    );
  page
    .command('configure <slug>')
    .description('set the customer name, logo URL (https) or monthly SLA target')
    .option('--name <name>', 'customer name as the page shows it')
    .option('--logo <url>', 'https URL of the logo ("none" removes it)')
    .option('--sla-target <percent>', 'monthly uptime target, percent', Number)
    .action(
      async (slug: string, options: { name?: string; logo?: string; slaTarget?: number }, command: Command) =>
        withClient(command, async (client, { output }) => {
          const settings = await client.call<{ name: string; slaTarget: number }>('status.pages.configure', {
            slug,
            ...(options.name ? { name: options.name } : {}),
            ...(options.logo ? { logoUrl: options.logo === 'none' ? null : options.logo } : {}),
            ...(options.slaTarget !== undefined ? { slaTarget: options.slaTarget } : {}),
          });
          output.result(settings, () => `${slug}: ${settings.name}, SLA target ${settings.slaTarget}%`);
        }),
    );
  page
    .command('add-component <slug> <name>')
    .description('add a component, shown from the state of its monitors')
    .option('--description <text>', 'one line under its name')
    .option('--monitor <id...>', 'monitors whose state it shows')
    .action(
      async (
        slug: string,
        name: string,
        options: { description?: string; monitor?: string[] },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const component = await client.call<ComponentBody>('status.components.add', {
            slug,
            name,
            ...(options.description ? { description: options.description } : {}),
            ...(options.monitor ? { monitors: options.monitor } : {}),
          });
          output.result(component, () => `component ${component.name} (${component.id}) added to ${slug}`);
        }),
    );
  page
    .command('set-status <component-id>')
    .description("set a component's status by hand, or --clear to hand it back to its monitors")
    .addOption(new Option('--status <status>', 'the status to show').choices(componentStatuses))
    .option('--clear', 'show what the monitors say again')
    .action(async (id: string, options: { status?: string; clear?: boolean }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const component = await client.call<ComponentBody>('status.components.status', {
          id,
          status: options.clear ? null : (options.status ?? 'operational'),
        });
        output.result(component, () => `${component.name}: ${component.manualStatus ?? 'from its monitors'}`);
      }),
    );

  const maintenance = program.command('maintenance').description('maintenance windows on status pages');
  maintenance
    .command('list [slug]')
    .description('windows, latest first')
    .action(async (slug: string | undefined, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { maintenances } = await client.call<{ maintenances: MaintenanceBody[] }>(
          'maintenances.list',
          slug ? { slug } : {},
        );
        output.result({ maintenances }, () =>
          table([
            ['ID', 'STATE', 'STARTS', 'ENDS', 'BUSINESS HOURS', 'TITLE'],
            ...maintenances.map((entry) => [
              entry.id,
              entry.state,
              entry.startsAt,
              entry.endsAt,
              entry.inBusinessHours ? 'yes' : 'no',
              entry.title,
            ]),
          ]),
        );
      }),
    );
  maintenance
    .command('schedule <slug> <title>')
    .description(
      'schedule a window; inside business hours (9:00–18:00 Paris, working days) it needs --confirm-business-hours',
    )
    .requiredOption('--start <time>', 'ISO 8601 start, e.g. 2026-11-24T22:00:00+01:00')
    .requiredOption('--end <time>', 'ISO 8601 end')
    .option('--body <markdown>', 'what happens and what customers will notice')
    .option('--component <id...>', 'affected components (default: the whole service)')
    .option('--confirm-business-hours', 'schedule it even though it falls inside business hours')
    .action(
      async (
        slug: string,
        title: string,
        options: {
          start: string;
          end: string;
          body?: string;
          component?: string[];
          confirmBusinessHours?: boolean;
        },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const created = await client.call<MaintenanceBody>('maintenances.schedule', {
            slug,
            title,
            startsAt: new Date(options.start).toISOString(),
            endsAt: new Date(options.end).toISOString(),
            ...(options.body ? { body: options.body } : {}),
            ...(options.component ? { components: options.component } : {}),
            ...(options.confirmBusinessHours ? { confirmBusinessHours: true } : {}),
          });
          output.result(
            created,
            () => `maintenance ${created.id} ${created.state}: ${created.startsAt} → ${created.endsAt}`,
          );
        }),
    );
  maintenance
    .command('cancel <id>')
    .description('cancel a window that has not ended')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const cancelled = await client.call<MaintenanceBody>('maintenances.cancel', { id });
        output.result(cancelled, () => `maintenance ${id} cancelled`);
      }),
    );

  program
    .command('sla')
    .description('service level reports')
    .command('report <slug>')
    .description("an instance's monthly uptime against its target, maintenance excluded")
    .requiredOption('--month <YYYY-MM>', 'the month, in the configured time zone')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'csv', 'html']).default('text'),
    )
    .option('--output <file>', 'write the report to this file instead of standard output')
    .action(
      async (slug: string, options: { month: string; format: string; output?: string }, command: Command) =>
        withClient(command, async (client, { output }) => {
          const report = await client.call<SlaBody>('sla.report', { slug, month: options.month });
          const rendered =
            options.format === 'csv'
              ? slaCsv(report)
              : options.format === 'html'
                ? slaHtml(report)
                : `${report.slug} ${report.month}${report.partial ? ' (so far)' : ''}: ${percent(report.uptime)} against ${report.target}%, ${verdict(report)}; downtime ${duration(report.downtimeSeconds)} of ${duration(report.allowedDowntimeSeconds)} allowed; maintenance ${duration(report.excludedSeconds)} excluded\n`;
          if (options.output) {
            writeFileSync(options.output, rendered);
            output.info(`written to ${options.output}`);
            return;
          }
          if (options.format === 'text') output.result(report, () => rendered.trimEnd());
          else process.stdout.write(rendered);
        }),
    );
}
