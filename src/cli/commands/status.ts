import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { componentStatuses } from '../../status/index.ts';
import { type DocumentBody, writeDocument } from '../documents.ts';
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
      new Option('--format <format>', 'output format')
        .choices(['text', 'csv', 'html', 'pdf'])
        .default('text'),
    )
    .option('--output <file>', 'write the report to this file instead of standard output')
    .action(
      async (slug: string, options: { month: string; format: string; output?: string }, command: Command) =>
        withClient(command, async (client, { output }) => {
          if (options.format !== 'text') {
            const document = await client.call<DocumentBody>('sla.document', {
              slug,
              month: options.month,
              format: options.format,
            });
            writeDocument(document, options.output, (line) => output.info(line));
            return;
          }
          const report = await client.call<SlaBody>('sla.report', { slug, month: options.month });
          const rendered = `${report.slug} ${report.month}${report.partial ? ' (so far)' : ''}: ${report.uptime === null ? 'no data' : `${report.uptime.toFixed(3)}%`} against ${report.target}%, ${report.met === null ? 'no data' : report.met ? 'met' : 'missed'}; downtime ${duration(report.downtimeSeconds)} of ${duration(report.allowedDowntimeSeconds)} allowed; maintenance ${duration(report.excludedSeconds)} excluded\n`;
          if (options.output) {
            writeFileSync(options.output, rendered);
            output.info(`written to ${options.output}`);
            return;
          }
          output.result(report, () => rendered.trimEnd());
        }),
    );
}
