import type { Command } from 'commander';
import { RoostError } from '../../core/errors.ts';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface TokenBody {
  id: string;
  name: string;
  userId: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function registerTokens(program: Command): void {
  const token = program.command('token').description('API tokens (scoped, expiring, stored as hashes)');
  token
    .command('create')
    .description('create an API token; it is printed once, on standard output')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--scope <scope...>', 'permissions such as instances:read audit:read')
    .option('--expires-in-days <days>', 'days until it expires (default 90, at most 365)')
    .option('--user <email|id>', 'whose token (on the server itself; remotely, tokens are always your own)')
    .action(
      async (
        options: { name: string; scope: string[]; expiresInDays?: string; user?: string },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const input: Record<string, unknown> = { name: options.name, scopes: options.scope };
          if (options.user !== undefined) input.userId = options.user;
          if (options.expiresInDays !== undefined) {
            const days = Number(options.expiresInDays);
            if (!Number.isInteger(days))
              throw new RoostError(
                'invalid_input',
                `--expires-in-days: expected a whole number; got "${options.expiresInDays}"`,
              );
            input.expiresInDays = days;
          }
          const created = await client.call<{ token: string; record: TokenBody }>('tokens.create', input);
          output.result(
            created,
            () => `${created.token}\n(token ${created.record.id}; shown once: store it now)`,
          );
        }),
    );
  token
    .command('list')
    .description('list API tokens')
    .option('--all', "everybody's tokens (admins)")
    .action(async (options: { all?: boolean }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { tokens } = await client.call<{ tokens: TokenBody[] }>(
          'tokens.list',
          options.all ? { all: 'true' } : {},
        );
        output.result({ tokens }, () =>
          tokens.length === 0
            ? 'no tokens'
            : table([
                ['ID', 'NAME', 'USER', 'SCOPES', 'EXPIRES', 'LAST USED', 'REVOKED'],
                ...tokens.map((entry) => [
                  entry.id,
                  entry.name,
                  entry.userId,
                  entry.scopes.join(','),
                  entry.expiresAt ?? 'never',
                  entry.lastUsedAt ?? '',
                  entry.revokedAt ?? '',
                ]),
              ]),
        );
      }),
    );
  token
    .command('revoke <id>')
    .description('revoke an API token')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { token: revoked } = await client.call<{ token: TokenBody }>('tokens.revoke', { id });
        output.result({ token: revoked }, () => `revoked ${revoked.id} (${revoked.name})`);
      }),
    );
}
