import type { Command } from 'commander';
import { table } from '../output.ts';
import { withClient } from './with-client.ts';

interface NodeBody {
  name: string;
  address: string;
  roles: string[];
  exporterUrl: string | null;
  monitors: Array<{ name: string; state: string }>;
}

const collect = (value: string, previous: string[]) => [
  ...previous,
  ...value.split(',').map((v) => v.trim()),
];

export function registerNodes(program: Command): void {
  const node = program
    .command('node')
    .description('nodes: the servers Roost manages (front, db, backup, staging), monitored from a template');
  node
    .command('add <name>')
    .description('register a node; creates its monitors (TCP 443/80/22 on front, host metrics, unresponsive)')
    .requiredOption('--address <host>', 'host name or IP address Roost reaches the node on')
    .option('--role <role>', 'front | db | backup | staging (repeatable or comma list)', collect, [])
    .option('--exporter <url>', "node_exporter's metrics URL, e.g. http://10.0.0.5:9100/metrics")
    .action(
      async (
        name: string,
        options: { address: string; role: string[]; exporter?: string },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const result = await client.call<{ node: { id: string }; monitors: string[] }>('nodes.add', {
            name,
            address: options.address,
            roles: options.role,
            ...(options.exporter ? { exporterUrl: options.exporter } : {}),
          });
          output.result(result, () =>
            [`node ${name} added (${result.node.id})`, ...result.monitors.map((m) => `  monitor ${m}`)].join(
              '\n',
            ),
          );
        }),
    );
  node
    .command('list')
    .description('nodes with their roles and monitor states')
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { nodes } = await client.call<{ nodes: NodeBody[] }>('nodes.list', {});
        output.result({ nodes }, () =>
          table([
            ['NAME', 'ADDRESS', 'ROLES', 'MONITORS'],
            ...nodes.map((entry) => [
              entry.name,
              entry.address,
              entry.roles.join(','),
              entry.monitors.map((m) => `${m.name.replace(`node ${entry.name} `, '')}:${m.state}`).join(' '),
            ]),
          ]),
        );
      }),
    );
  node
    .command('remove <name>')
    .description('remove a node and its template monitors (with their results)')
    .action(async (name: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const result = await client.call<{ name: string; monitors: number }>('nodes.remove', { name });
        output.result(result, () => `node ${name} removed with ${result.monitors} monitor(s)`);
      }),
    );
}
