import type { Command } from 'commander';
import { exitCodes } from '../exit-codes.ts';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface AuditEventBody {
  seq: number;
  at: string;
  actor: { label: string };
  action: string;
  target: string | null;
  ip: string | null;
  result: string;
}

interface FilterOptions {
  actor?: string;
  action?: string;
  target?: string;
  result?: string;
  since?: string;
  until?: string;
  limit?: string;
}

function filterOptions(command: Command): Command {
  return command
    .option('--actor <id>', 'only events of this actor (user id or label)')
    .option('--action <action>', 'only this action, or a prefix ending in "." (user.)')
    .option('--target <target>', 'only events about this target')
    .option('--result <result>', 'ok, denied or failed')
    .option('--since <iso-time>', 'events at or after this time')
    .option('--until <iso-time>', 'events before this time');
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the append-only, hash-chained audit trail');
  filterOptions(audit.command('list').description('list audit events, newest first'))
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: FilterOptions, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { events } = await client.call<{ events: AuditEventBody[] }>('audit.list', { ...options });
        output.result({ events }, () =>
          events.length === 0
            ? 'no audit events'
            : table([
                ['SEQ', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'RESULT', 'IP'],
                ...events.map((event) => [
                  String(event.seq),
                  event.at,
                  event.actor.label,
                  event.action,
                  event.target ?? '',
                  event.result,
                  event.ip ?? '',
                ]),
              ]),
        );
      }),
    );
  audit
    .command('verify')
    .description(
      'recompute the hash chain; exit code 1 and the rows named when any row was changed or deleted',
    )
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const report = await client.call<{
          ok: boolean;
          checked: number;
          problems: { seq: number; id: string | null; reason: string }[];
        }>('audit.verify');
        output.result(report, () =>
          report.ok
            ? `audit trail intact: ${report.checked} event(s) checked`
            : [
                `audit trail BROKEN: ${report.problems.length} problem(s) in ${report.checked} event(s)`,
                ...report.problems.map(
                  (problem) =>
                    `  seq ${problem.seq}${problem.id ? ` (${problem.id})` : ''}: ${problem.reason}`,
                ),
              ].join('\n'),
        );
        if (!report.ok) process.exitCode = exitCodes.failure;
      }),
    );
  filterOptions(
    audit
      .command('export')
      .description('write audit events as NDJSON (one JSON object per line), oldest first'),
  ).action(async (options: FilterOptions, command: Command) =>
    withClient(command, async (client) => {
      for await (const line of client.lines('audit.export', { ...options })) process.stdout.write(line);
    }),
  );
}
