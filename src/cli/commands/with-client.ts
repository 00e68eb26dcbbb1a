import type { Command } from 'commander';
import { type ApiClient, openClient } from '../client.ts';
import { type CommandContext, commandContext, type GlobalOptions } from '../context.ts';

/** Runs a command body with an API client (local or remote) and always closes it. */
export async function withClient(
  command: Command,
  body: (client: ApiClient, context: CommandContext) => Promise<void>,
): Promise<void> {
  const context = commandContext(command.optsWithGlobals<GlobalOptions>());
  const client = await openClient(context);
  try {
    await body(client, context);
  } finally {
    await client.close();
  }
}
