import type { Command } from 'commander';
import { RoostError } from '../../core/errors.ts';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface MonitorBody {
  id: string;
  name: string;
  kind: string;
  state: string;
  intervalSeconds: number;
  instanceId: string | null;
  lastMessage: string | null;
  lastCheckedAt: string | null;
}

interface AlertBody {
  id: string;
  state: string;
  severity: string;
  summary: string;
  route: string | null;
  level: number;
  suppressedBy: string | null;
  pendingSince: string;
  acknowledgedBy: string | null;
}

const integer = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new RoostError('invalid_input', `${name}: not an integer: ${value}`);
  return parsed;
};

const collect = (value: string, previous: string[]) => [...previous, value];

interface AddOptions {
  kind: string;
  target?: string;
  host?: string;
  port?: number;
  keyword?: string;
  pattern?: string;
  jsonPath?: string;
  jsonEquals?: string;
  maxLatency?: number;
  cron?: string;
  cronTimeZone?: string;
  settings?: string;
  instance?: string;
  interval?: number;
  timeout?: number;
  retries?: number;
  for?: number;
  severity?: string;
  label: string[];
}

/** Settings from the flags of `monitor add`; `--settings <json>` gives them all at once. */
function settingsOf(options: AddOptions): Record<string, unknown> {
  if (options.settings) {
    try {
      return JSON.parse(options.settings) as Record<string, unknown>;
    } catch {
      throw new RoostError('invalid_input', '--settings: not a JSON object');
    }
  }
  const entries: Array<[string, unknown]> = [
    ['url', options.target],
    ['host', options.host],
    ['port', options.port],
    ['keyword', options.keyword],
    ['pattern', options.pattern],
    ['jsonPath', options.jsonPath],
    ['jsonEquals', options.jsonEquals],
    ['maxLatencyMs', options.maxLatency],
    ['cron', options.cron],
    ['timeZone', options.cronTimeZone],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

function labelsOf(pairs: string[], flag: string): Array<{ label: string; value: string }> {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new RoostError('invalid_input', `${flag}: expected label=value, got ${pair}`);
    return { label: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

export function registerMonitoring(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('monitors: HTTP(S), TCP, heartbeat, application status, host metrics');
  monitor
    .command('list')
    .description('monitors and their current state')
    .option('--instance <id>', 'only this instance (ins_…)')
    .option('--state <state>', 'up | down | unknown')
    .action(async (options: { instance?: string; state?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { monitors } = await client.call<{ monitors: MonitorBody[] }>('monitors.list', {
          ...(options.instance ? { instanceId: options.instance } : {}),
          ...(options.state ? { state: options.state } : {}),
        });
        output.result({ monitors }, () =>
          table([
            ['NAME', 'KIND', 'STATE', 'EVERY', 'LAST CHECK', 'MESSAGE', 'ID'],
            ...monitors.map((entry) => [
              entry.name,
              entry.kind,
              entry.state,
              `${entry.intervalSeconds}s`,
              entry.lastCheckedAt ?? '-',
              entry.lastMessage ?? '',
              entry.id,
            ]),
          ]),
        );
      }),
    );
  monitor
    .command('add <name>')
    .description('create a monitor; errors name the field at fault (settings.url, settings.jsonPath…)')
    .requiredOption('--kind <kind>', 'http | tcp | heartbeat | app_status | host')
    // Not --url: that global option points the CLI at a remote server.
    .option('--target <url>', 'http, app_status, host: the URL to check (host: node_exporter /metrics)')
    .option('--host <host>', 'tcp: host name or address')
    .option('--port <port>', 'tcp: port', integer('--port'))
    .option('--keyword <text>', 'http: text the answer must contain')
    .option('--pattern <regex>', 'http: regular expression the answer must match')
    .option('--json-path <path>', 'http: JSON path that must exist ($.checks.database.status)')
    .option('--json-equals <value>', 'http: expected value at --json-path')
    .option('--max-latency <ms>', 'http: slower answers fail', integer('--max-latency'))
    .option('--cron <expression>', 'heartbeat: when pushes are expected (default: one per interval)')
    .option('--cron-time-zone <zone>', 'heartbeat: time zone of --cron (default Europe/Paris)')
    .option('--settings <json>', 'all settings as one JSON object instead of the flags above')
    .option('--instance <id>', 'the instance it belongs to (ins_…)')
    .option('--interval <seconds>', 'seconds between checks (default 60)', integer('--interval'))
    .option('--timeout <ms>', 'timeout of one check (default 10000)', integer('--timeout'))
    .option('--retries <n>', 'failures in a row before down (default 1)', integer('--retries'))
    .option('--for <seconds>', 'how long down before the alert fires (default 0)', integer('--for'))
    .option('--severity <severity>', 'critical | warning | info')
    .option('--label <name=value>', 'a label for silences and routing (repeatable)', collect, [])
    .action(async (name: string, options: AddOptions, command: Command) =>
      withClient(command, async (client, { output }) => {
        const labels = Object.fromEntries(
          labelsOf(options.label, '--label').map((entry) => [entry.label, entry.value]),
        );
        const created = await client.call<{ monitor: MonitorBody; pushToken?: string }>('monitors.create', {
          name,
          kind: options.kind,
          settings: settingsOf(options),
          ...(options.instance ? { instanceId: options.instance } : {}),
          ...(options.interval !== undefined ? { intervalSeconds: options.interval } : {}),
          ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
          ...(options.retries !== undefined ? { retries: options.retries } : {}),
          ...(options.for !== undefined ? { forSeconds: options.for } : {}),
          ...(options.severity ? { severity: options.severity } : {}),
          labels,
        });
        output.result(created, () =>
          [
            `monitor ${created.monitor.name} (${created.monitor.id}): ${created.monitor.kind}, every ${created.monitor.intervalSeconds}s`,
            ...(created.pushToken ? [`push token (shown once): ${created.pushToken}`] : []),
          ].join('\n'),
        );
      }),
    );
  monitor
    .command('rm <id>')
    .description('delete a monitor with its results (its alerts are resolved and kept)')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        await client.call('monitors.delete', { id });
        output.result({ ok: true, id }, () => `deleted ${id}`);
      }),
    );

  monitor
    .command('report <slug>')
    .description(
      "an instance's weekly report: uptime, incidents, p50/p95, slowest checks, trend (mailed Mondays 08:00)",
    )
    .option('--week <week>', 'ISO week such as 2026-W47 (default: the last complete week)')
    .action(async (slug: string, options: { week?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const result = await client.call<{ report: unknown; text: string }>('reports.weekly', {
          slug,
          ...(options.week ? { week: options.week } : {}),
        });
        output.result(result.report, () => result.text.trimEnd());
      }),
    );

  const alert = program.command('alert').description('alerts: pending, firing, resolved');
  alert
    .command('list')
    .description('alerts, newest first')
    .option('--state <state>', 'pending | firing | resolved | open', 'open')
    .action(async (options: { state: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { alerts } = await client.call<{ alerts: AlertBody[] }>('alerts.list', {
          state: options.state,
        });
        output.result({ alerts }, () =>
          table([
            ['STATE', 'SEVERITY', 'SINCE', 'ROUTE', 'LEVEL', 'SUMMARY', 'ID'],
            ...alerts.map((entry) => [
              entry.suppressedBy
                ? `${entry.state} (suppressed)`
                : entry.acknowledgedBy
                  ? `${entry.state} (ack)`
                  : entry.state,
              entry.severity,
              entry.pendingSince,
              entry.route ?? '-',
              String(entry.level),
              entry.summary,
              entry.id,
            ]),
          ]),
        );
      }),
    );
  for (const [verb, route, done] of [
    ['ack', 'alerts.acknowledge', 'acknowledged: escalation stops'],
    ['resolve', 'alerts.resolve', 'resolved'],
  ] as const) {
    alert
      .command(`${verb} <id>`)
      .description(verb === 'ack' ? 'acknowledge an alert (stops escalation)' : 'resolve an alert by hand')
      .action(async (id: string, _options, command: Command) =>
        withClient(command, async (client, { output }) => {
          const result = await client.call<{ alert: AlertBody }>(route, { id });
          output.result(result, () => `${id} ${done}`);
        }),
      );
  }

  const silence = program
    .command('silence')
    .description('silences: mute alerts whose labels match, for a while');
  silence
    .command('add')
    .description('silence alerts matching every --match (instance=ins_…, alertname=down, monitor=…)')
    .requiredOption(
      '--match <label=value>',
      'a matcher (repeatable); label=~regex for a regular expression',
      collect,
      [],
    )
    .requiredOption('--duration <minutes>', 'how long', integer('--duration'))
    .requiredOption('--comment <text>', 'why (shown to everyone)')
    .action(async (options: { match: string[]; duration: number; comment: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const matchers = labelsOf(options.match, '--match').map(({ label, value }) =>
          value.startsWith('~') ? { label, value: value.slice(1), regex: true } : { label, value },
        );
        const result = await client.call<{ silence: { id: string; endsAt: string } }>('silences.create', {
          matchers,
          comment: options.comment,
          durationMinutes: options.duration,
        });
        output.result(result, () => `silence ${result.silence.id} until ${result.silence.endsAt}`);
      }),
    );
  silence
    .command('list')
    .description('silences in force')
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const result = await client.call<{
          silences: Array<{
            id: string;
            author: string;
            comment: string;
            endsAt: string;
            matchers: Array<{ label: string; value: string; regex: boolean }>;
          }>;
        }>('silences.list', { active: 'true' });
        output.result(result, () =>
          table([
            ['MATCHERS', 'UNTIL', 'AUTHOR', 'COMMENT', 'ID'],
            ...result.silences.map((entry) => [
              entry.matchers
                .map((matcher) => `${matcher.label}${matcher.regex ? '=~' : '='}${matcher.value}`)
                .join(','),
              entry.endsAt,
              entry.author,
              entry.comment,
              entry.id,
            ]),
          ]),
        );
      }),
    );
  silence
    .command('expire <id>')
    .description('end a silence now')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        await client.call('silences.expire', { id });
        output.result({ ok: true, id }, () => `silence ${id} expired`);
      }),
    );

  const oncall = program.command('oncall').description('on-call: who is paged now');
  oncall
    .command('now')
    .description(
      'where alerts go now (support by business hours, else on-call) and who is on call in each schedule',
    )
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const result = await client.call<{
          route: string;
          schedules: Array<{
            schedule: { id: string; name: string };
            shift: { user: string; end: number } | null;
          }>;
        }>('oncall.now');
        output.result(result, () =>
          [
            `alerts go to: ${result.route === 'support' ? 'support (business hours)' : 'on-call'}`,
            table([
              ['SCHEDULE', 'ON CALL', 'UNTIL'],
              ...result.schedules.map((entry) => [
                entry.schedule.name,
                entry.shift?.user ?? '-',
                entry.shift ? new Date(entry.shift.end).toISOString() : '-',
              ]),
            ]),
          ].join('\n'),
        );
      }),
    );
}
