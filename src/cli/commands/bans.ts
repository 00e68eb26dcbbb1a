import type { Command } from 'commander';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface BanBody {
  id: string;
  subjectKind: string;
  subject: string;
  reason: string;
  expiresAt: string;
  liftedAt: string | null;
}

export function registerBans(program: Command): void {
  const bans = program.command('ban').description('clients and accounts banned after failed logins');
  bans
    .command('list')
    .description('list bans, newest first')
    .option('--all', 'include expired and lifted bans')
    .action(async (options: { all?: boolean }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { bans: list } = await client.call<{ bans: BanBody[] }>(
          'bans.list',
          options.all ? {} : { active: 'true' },
        );
        output.result({ bans: list }, () =>
          list.length === 0
            ? 'no bans'
            : table([
                ['ID', 'KIND', 'SUBJECT', 'UNTIL', 'LIFTED', 'REASON'],
                ...list.map((ban) => [
                  ban.id,
                  ban.subjectKind,
                  ban.subject,
                  ban.expiresAt,
                  ban.liftedAt ?? '',
                  ban.reason,
                ]),
              ]),
        );
      }),
    );
  bans
    .command('lift <id>')
    .description('lift a ban now')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { ban } = await client.call<{ ban: BanBody }>('bans.lift', { id });
        output.result({ ban }, () => `ban ${ban.id} on ${ban.subject} lifted`);
      }),
    );
}
