import { type Command, Option } from 'commander';
import { roles } from '../../auth/permissions.ts';
import { table } from '../output.ts';
import { readNewPassword } from '../prompt.ts';
import { withClient } from './with-client.ts';

interface UserBody {
  id: string;
  email: string;
  name: string;
  role: string;
  secondFactor: boolean;
  disabledAt: string | null;
}

export function registerUsers(program: Command): void {
  const user = program.command('user').description('people who use Roost, and their roles');
  user
    .command('add')
    .description(
      'add a user; the password is asked on the terminal or read with --password-stdin, never taken from the command line',
    )
    .requiredOption('--email <email>', 'login email')
    .option('--name <name>', 'display name (default: the email)')
    .addOption(new Option('--role <role>', 'role').choices(roles).makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input')
    .action(
      async (
        options: { email: string; name?: string; role: string; passwordStdin?: boolean },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const password = await readNewPassword(options.passwordStdin === true);
          const { user: created } = await client.call<{ user: UserBody }>('users.create', {
            email: options.email,
            name: options.name ?? options.email,
            role: options.role,
            password,
          });
          output.result(
            { user: created },
            () =>
              `added ${created.email} (${created.role}, ${created.id})${['admin', 'operator'].includes(created.role) ? '; a second factor is enrolled at first login' : ''}`,
          );
        }),
    );
  user
    .command('list')
    .description('list users')
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { users } = await client.call<{ users: UserBody[] }>('users.list');
        output.result({ users }, () =>
          table([
            ['ID', 'EMAIL', 'NAME', 'ROLE', '2FA', 'DISABLED'],
            ...users.map((entry) => [
              entry.id,
              entry.email,
              entry.name,
              entry.role,
              entry.secondFactor ? 'yes' : 'no',
              entry.disabledAt ?? '',
            ]),
          ]),
        );
      }),
    );
  user
    .command('disable <id>')
    .description('disable a user: their sessions and API tokens end at once')
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { user: disabled } = await client.call<{ user: UserBody }>('users.disable', { id });
        output.result({ user: disabled }, () => `disabled ${disabled.email}`);
      }),
    );
  user
    .command('reset-2fa <id>')
    .description(
      "forget a user's second factor (a lost phone): their sessions end and they enrol again at next login",
    )
    .action(async (id: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        await client.call('users.resetSecondFactor', { id });
        output.result({ id, ok: true }, () => `second factor of ${id} reset`);
      }),
    );
}
