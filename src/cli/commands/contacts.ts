import type { Command } from 'commander';
import { RoostError } from '../../core/errors.ts';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface ContactsBody {
  slug: string;
  customer: string;
  accountManagers: Array<{ email: string; name: string }>;
  fallback: boolean;
  contacts: Array<{ name: string; email: string; receives: string[] }>;
}

const topics = ['incidents', 'postmortems', 'maintenances'];

function receivesOption(value: string): string[] {
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = list.filter((item) => !topics.includes(item));
  if (list.length === 0 || unknown.length > 0)
    throw new RoostError(
      'invalid_input',
      `--receives: expected a list of ${topics.join(', ')}; got ${value}`,
    );
  return list;
}

/** `roost instance contacts …`: who hears about an instance's incidents (R24). */
export function registerContacts(program: Command): void {
  const instance =
    program.commands.find((command) => command.name() === 'instance') ?? program.command('instance');
  const contacts = instance
    .command('contacts')
    .description(
      "an instance's account managers and customer contacts (incident notices, post-mortems, maintenance)",
    );
  contacts
    .command('list <slug>')
    .description('who is told about the instance: account managers and customer contacts')
    .action(async (slug: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const listed = await client.call<ContactsBody>('contacts.list', { slug });
        output.result(listed, () =>
          [
            `${listed.slug} (${listed.customer})`,
            `account managers: ${listed.accountManagers.map((manager) => manager.email).join(', ') || '(none)'}${listed.fallback ? ' (none assigned: every account manager is told)' : ''}`,
            '',
            listed.contacts.length === 0
              ? 'no customer contacts'
              : table([
                  ['EMAIL', 'NAME', 'RECEIVES'],
                  ...listed.contacts.map((contact) => [
                    contact.email,
                    contact.name,
                    contact.receives.join(','),
                  ]),
                ]),
          ].join('\n'),
        );
      }),
    );
  contacts
    .command('add <slug> <email>')
    .description(
      'add a customer contact (--name), or with --account-manager assign a Roost user with that role to the instance',
    )
    .option('--name <name>', "the contact's name (customer contacts)")
    .option(
      '--receives <list>',
      `what the contact receives, comma-separated (${topics.join(',')}; default all)`,
      receivesOption,
    )
    .option('--account-manager', 'the address is a Roost account manager to assign, not a customer contact')
    .action(
      async (
        slug: string,
        email: string,
        options: { name?: string; receives?: string[]; accountManager?: boolean },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          if (options.accountManager) {
            const manager = await client.call<{ email: string }>('contacts.managers.assign', {
              slug,
              user: email,
            });
            output.result(manager, () => `${manager.email} is an account manager of ${slug}`);
            return;
          }
          if (!options.name) throw new RoostError('invalid_input', '--name: required for a customer contact');
          const contact = await client.call<{ email: string; receives: string[] }>('contacts.add', {
            slug,
            email,
            name: options.name,
            ...(options.receives ? { receives: options.receives } : {}),
          });
          output.result(contact, () => `${contact.email} added to ${slug} (${contact.receives.join(', ')})`);
        }),
    );
  contacts
    .command('remove <slug> <email>')
    .description('remove a customer contact or an assigned account manager')
    .action(async (slug: string, email: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const removed = await client.call<{ removed: string; email: string }>('contacts.remove', {
          slug,
          email,
        });
        output.result(removed, () => `${removed.email} (${removed.removed}) removed from ${slug}`);
      }),
    );
}
