import { type Command, Option } from 'commander';
import { RoostError } from '../../core/errors.ts';
import {
  incidentStatuses,
  manualIncidentStatuses,
  severities,
  timelineKinds,
} from '../../incidents/index.ts';
import { type DocumentBody, writeDocument } from '../documents.ts';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface IncidentBody {
  id: string;
  title: string;
  severity: string;
  status: string;
  whatIsGoingOn: string;
  howWeUnderstood: string;
  whatWeDid: string;
  impacts: string;
  howToAvoid: string;
  postmortem: string | null;
  startedAt: string;
  resolvedAt: string | null;
}

interface Details {
  incident: IncidentBody;
  instances: Array<{ slug: string }>;
  components: Array<{ id: string; name: string }>;
  timeline: Array<{
    at: string;
    kind: string;
    source: string;
    body: string;
    public: boolean;
    status: string | null;
  }>;
}

/** The five logbook fields as options, shared by create and update. */
function logbookOptions(command: Command): Command {
  return command
    .option('--what <markdown>', 'what is going on')
    .option('--understood <markdown>', 'how we understood it')
    .option('--did <markdown>', 'what we did')
    .option('--impacts <markdown>', 'the impacts')
    .option('--avoid <markdown>', 'how to avoid it next time')
    .option('--instance <slug...>', 'affected instances (replaces the list on update)')
    .option('--component <id...>', 'affected status page components (replaces the list on update)');
}

interface LogbookFlags {
  what?: string;
  understood?: string;
  did?: string;
  impacts?: string;
  avoid?: string;
  instance?: string[];
  component?: string[];
}

function logbookInput(options: LogbookFlags): Record<string, unknown> {
  const input: Record<string, unknown> = {
    whatIsGoingOn: options.what,
    howWeUnderstood: options.understood,
    whatWeDid: options.did,
    impacts: options.impacts,
    howToAvoid: options.avoid,
    instances: options.instance,
    components: options.component,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

function describeDetails({ incident, instances, components, timeline }: Details): string {
  const lines = [
    `${incident.id}: ${incident.title}`,
    `${incident.severity}, ${incident.status}; started ${incident.startedAt}${incident.resolvedAt ? `, resolved ${incident.resolvedAt}` : ''}`,
    `instances: ${instances.map((instance) => instance.slug).join(', ') || '(none)'}`,
    `components: ${components.map((component) => component.name).join(', ') || '(none)'}`,
    '',
    `What is going on: ${incident.whatIsGoingOn || '—'}`,
    `How we understood it: ${incident.howWeUnderstood || '—'}`,
    `What we did: ${incident.whatWeDid || '—'}`,
    `Impacts: ${incident.impacts || '—'}`,
    `How to avoid it next time: ${incident.howToAvoid || '—'}`,
    '',
    table([
      ['AT', 'KIND', 'SOURCE', 'PUBLIC', 'TEXT'],
      ...timeline.map((entry) => [
        entry.at,
        entry.status && entry.kind !== 'note' ? `${entry.kind} (${entry.status})` : entry.kind,
        entry.source,
        entry.public ? 'yes' : '',
        entry.body.replace(/\s+/g, ' '),
      ]),
    ]),
  ];
  if (incident.postmortem) lines.push('', 'Post-mortem draft:', incident.postmortem);
  return lines.join('\n');
}

export function registerIncidents(program: Command): void {
  const incident = program
    .command('incident')
    .description(
      'the incident logbook: open (also from an alert), update, note, resolve, tell the customer, post-mortems',
    );
  incident
    .command('list')
    .description('the logbook, newest first')
    .option('--search <words>', 'words to find in titles, logbook fields and timelines')
    .addOption(new Option('--status <status>', 'only this status').choices(incidentStatuses))
    .option('--open', 'only incidents not resolved yet')
    .option('--instance <slug>', 'only incidents touching this instance')
    .action(
      async (
        options: { search?: string; status?: string; open?: boolean; instance?: string },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const input: Record<string, unknown> = {};
          if (options.search) input.query = options.search;
          if (options.status) input.status = options.status;
          if (options.open) input.open = 'true';
          if (options.instance) input.instance = options.instance;
          const { incidents } = await client.call<{ incidents: IncidentBody[] }>('incidents.list', input);
          output.result({ incidents }, () =>
            table([
              ['ID', 'SEVERITY', 'STATUS', 'STARTED', 'TITLE'],
              ...incidents.map((entry) => [
                entry.id,
                entry.severity,
                entry.status,
                entry.startedAt,
                entry.title,
              ]),
            ]),
          );
        }),
    );
  incident
    .command('show <id>')
    .description('an incident: logbook fields, instances, components, timeline and post-mortem draft')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const details = await client.call<Details>('incidents.get', { id });
        output.result(details, () => describeDetails(details));
      }),
    );
  logbookOptions(
    incident
      .command('create [title]')
      .description(
        'open an incident; --message also posts a first public update; --from-alert takes the title, severity, instance and components from an alert',
      )
      .addOption(new Option('--severity <severity>', 'severity (default major)').choices(severities))
      .option('--message <markdown>', 'first public update for the status pages and subscribers')
      .option(
        '--from-alert <id>',
        'open it from this alert (an open incident already opened from it is shown)',
      ),
  ).action(
    async (
      title: string | undefined,
      options: LogbookFlags & { severity?: string; message?: string; fromAlert?: string },
      command: Command,
    ) =>
      withClient(command, async (client, { output }) => {
        if (options.fromAlert) {
          if (
            title !== undefined ||
            options.severity ||
            options.message ||
            Object.keys(logbookInput(options)).length > 0
          )
            throw new RoostError(
              'invalid_input',
              '--from-alert: takes everything from the alert; edit the incident afterwards with roost incident update',
            );
          const { incident: opened, created } = await client.call<{
            incident: IncidentBody;
            created: boolean;
          }>('incidents.fromAlert', { id: options.fromAlert });
          output.result({ ...opened, created }, () =>
            created
              ? `incident ${opened.id} opened from ${options.fromAlert} (${opened.severity}): ${opened.title}`
              : `incident ${opened.id} is already open for ${options.fromAlert}: ${opened.title}`,
          );
          return;
        }
        if (title === undefined)
          throw new RoostError('invalid_input', 'title: required (or --from-alert <id>)');
        const created = await client.call<IncidentBody>('incidents.create', {
          title,
          severity: options.severity ?? 'major',
          ...logbookInput(options),
          ...(options.message ? { message: options.message } : {}),
        });
        output.result(
          created,
          () => `incident ${created.id} opened (${created.severity}, ${created.status})`,
        );
      }),
  );
  logbookOptions(
    incident
      .command('update <id>')
      .description('edit the logbook fields, title, severity or what the incident touches')
      .option('--title <title>', 'new title')
      .addOption(new Option('--severity <severity>', 'severity').choices(severities)),
  ).action(
    async (id: string, options: LogbookFlags & { title?: string; severity?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const updated = await client.call<IncidentBody>('incidents.update', {
          id,
          ...logbookInput(options),
          ...(options.title ? { title: options.title } : {}),
          ...(options.severity ? { severity: options.severity } : {}),
        });
        output.result(updated, () => `incident ${updated.id} updated`);
      }),
  );
  incident
    .command('note <id> <markdown>')
    .description('add a timeline entry; --public makes it an update on the status pages')
    .option('--public', 'show it on the status pages and send it to subscribers')
    .addOption(
      new Option(
        '--status <status>',
        'move the incident to this status (postmortem comes from publish-postmortem)',
      ).choices(manualIncidentStatuses),
    )
    .addOption(new Option('--kind <kind>', 'what the entry records').choices(timelineKinds))
    .action(
      async (
        id: string,
        body: string,
        options: { public?: boolean; status?: string; kind?: string },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const entry = await client.call<{ id: string; kind: string }>('incidents.timeline.append', {
            id,
            body,
            ...(options.public ? { public: true } : {}),
            ...(options.status ? { status: options.status } : {}),
            ...(options.kind ? { kind: options.kind } : {}),
          });
          output.result(entry, () => `${entry.kind} ${entry.id} added to ${id}`);
        }),
    );
  incident
    .command('resolve <id> <markdown>')
    .description('post the resolution as a public update; the post-mortem draft is written from the logbook')
    .action(async (id: string, body: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        await client.call('incidents.timeline.append', { id, body, public: true, status: 'resolved' });
        const details = await client.call<Details>('incidents.get', { id });
        output.result(
          details,
          () => `incident ${id} resolved; post-mortem draft:\n\n${details.incident.postmortem ?? ''}`,
        );
      }),
    );
  incident
    .command('publish-postmortem <id>')
    .description(
      'publish the reviewed post-mortem of a resolved incident on its status pages and to subscribers (once; edit it afterwards)',
    )
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const published = await client.call<IncidentBody>('incidents.postmortem.publish', { id });
        output.result(published, () => `post-mortem of ${id} published`);
      }),
    );
  incident
    .command('tell-customer <id>')
    .description(
      "mail the customer notice (issue, impacts, estimated resolution) to the instance's customer contacts; --dry-run shows the draft",
    )
    .option('--instance <slug>', 'which affected instance (needed when the incident touches several)')
    .option('--eta <text>', 'the estimated resolution time, in words')
    .option('--subject <text>', 'replace the drafted subject')
    .option('--body <text>', 'replace the drafted text')
    .option('--dry-run', 'show the draft, send nothing')
    .action(
      async (
        id: string,
        options: { instance?: string; eta?: string; subject?: string; body?: string; dryRun?: boolean },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          if (options.dryRun) {
            const { drafts } = await client.call<{
              drafts: Array<{ slug: string; subject: string; body: string }>;
            }>('incidents.customerNotice.draft', {
              id,
              ...(options.eta ? { estimatedResolution: options.eta } : {}),
            });
            const shown = drafts.filter((draft) => !options.instance || draft.slug === options.instance);
            output.result({ drafts: shown }, () =>
              shown.map((draft) => `[${draft.slug}] Subject: ${draft.subject}\n\n${draft.body}`).join('\n\n'),
            );
            return;
          }
          const sent = await client.call<{ slug: string; to: string[]; subject: string }>(
            'incidents.customerNotice.send',
            {
              id,
              ...(options.instance ? { slug: options.instance } : {}),
              ...(options.eta ? { estimatedResolution: options.eta } : {}),
              ...(options.subject ? { subject: options.subject } : {}),
              ...(options.body ? { body: options.body } : {}),
            },
          );
          output.result(sent, () => `customer notice for ${sent.slug} sent to ${sent.to.join(', ')}`);
        }),
    );
  incident
    .command('postmortem <id>')
    .description('the post-mortem as Markdown, HTML or PDF')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['markdown', 'html', 'pdf'])
        .default('markdown'),
    )
    .option('--output <file>', 'write it to this file instead of standard output')
    .action(async (id: string, options: { format: string; output?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const document = await client.call<DocumentBody>('incidents.postmortem.document', {
          id,
          format: options.format,
        });
        writeDocument(document, options.output, (line) => output.info(line));
      }),
    );
}
