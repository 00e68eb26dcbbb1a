import type { Command } from 'commander';
import { registerBackupJobs } from '../../backups/index.ts';
import { RoostError } from '../../core/errors.ts';
import { apiDepsOf } from '../../main.ts';
import { migrationDepsFrom, registerMigrationJobs } from '../../migration/index.ts';
import type { ApiClient } from '../client.ts';
import { followUntilEnded, runJobsHere } from '../follow.ts';
import { type Output, table } from '../output.ts';
import { readStdin } from '../prompt.ts';
import { withClient } from './with-client.ts';

interface MigrationBody {
  id: string;
  source: string;
  target: string;
  state: string;
  step: string;
  backupId: string | null;
  endpoint: string | null;
  steps: Array<{ step: string; ms: number; note?: string }>;
  error: string | null;
  createdAt: string;
}

interface PlanBody {
  instances: Array<{
    slug: string;
    customer: string;
    state: string;
    from: string;
    to: string;
    action: string;
    latestBackup: { id: string; createdAt: string } | null;
  }>;
}

const runtimesHelp = 'local or swarm (the runtime, not a node: nodes are not modelled yet)';

export function registerMigrations(program: Command): void {
  const instance =
    program.commands.find((command) => command.name() === 'instance') ??
    program.command('instance').description('customer instances');
  instance
    .command('migrate <slug>')
    .description(
      'move the instance to another runtime: backup, new stack, restore, verify (/status, row counts), DNS name switch, old stack removed; rolls back before the switch on any failure. Production: admins with a fresh second factor',
    )
    .requiredOption('--to <runtime>', runtimesHelp)
    .option('--backup <which>', '"latest" or a backup id (default: take a fresh backup first)')
    .option('--no-wait', 'queue the migration and return at once')
    .option('--timeout <seconds>', 'how long to wait', Number, 7200)
    .action(
      async (
        slug: string,
        options: { to: string; backup?: string; wait: boolean; timeout: number },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const queued = await client.call<MigrationBody>('instances.migrate', {
            slug,
            to: options.to,
            ...(options.backup ? { backup: options.backup } : {}),
          });
          output.info(`migration ${queued.id}: ${slug} from ${queued.source} to ${queued.target}`);
          const result = options.wait ? await follow(client, output, queued, options.timeout) : queued;
          output.result(result, () => describe(slug, result));
          if (result.state === 'rolled-back' || result.state === 'failed')
            throw new RoostError('internal', `migration ${result.id} ${result.state}: ${result.error ?? ''}`);
        }),
    );
  instance
    .command('migrations [slug]')
    .description('migrations, newest first, with the time of each step and why one failed or rolled back')
    .action(async (slug: string | undefined, _options: unknown, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { migrations } = await client.call<{ migrations: MigrationBody[] }>('migrations.list', {
          ...(slug ? { slug } : {}),
        });
        output.result({ migrations }, () =>
          table([
            ['MIGRATION', 'FROM', 'TO', 'STATE', 'STEP', 'TOTAL', 'CREATED', 'ERROR'],
            ...migrations.map((entry) => [
              entry.id,
              entry.source,
              entry.target,
              entry.state,
              entry.step,
              `${(entry.steps.reduce((sum, step) => sum + step.ms, 0) / 1000).toFixed(1)} s`,
              entry.createdAt,
              entry.error ?? '',
            ]),
          ]),
        );
      }),
    );

  const drp = program
    .command('drp')
    .description('the disaster recovery plan: every production instance migrated to another runtime');
  drp
    .command('plan')
    .description('dry run: what would move where (production instances), and their newest good backup')
    .option('--to <runtime>', `${runtimesHelp}; default: the other runtime of each instance`)
    .action(async (options: { to?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const plan = await client.call<PlanBody>('drp.plan', options.to ? { to: options.to } : {});
        output.result(plan, () => planTable(plan));
      }),
    );
  drp
    .command('run')
    .description('migrate every production instance to the runtime, one after another, then a summary')
    .requiredOption('--to <runtime>', runtimesHelp)
    .option('--timeout <seconds>', 'how long to wait for each instance', Number, 7200)
    .action(async (options: { to: string; timeout: number }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const plan = await client.call<PlanBody>('drp.plan', { to: options.to });
        const summary: Array<{ slug: string; outcome: string; seconds: number; migrationId: string | null }> =
          [];
        for (const entry of plan.instances) {
          if (entry.action !== 'migrate') {
            summary.push({ slug: entry.slug, outcome: entry.action, seconds: 0, migrationId: null });
            continue;
          }
          output.info(`${entry.slug}: ${entry.from} → ${entry.to}`);
          try {
            const queued = await client.call<MigrationBody>('instances.migrate', {
              slug: entry.slug,
              to: options.to,
            });
            const done = await follow(client, output, queued, options.timeout);
            summary.push({
              slug: entry.slug,
              outcome: done.state === 'succeeded' ? 'moved' : `${done.state}: ${done.error ?? ''}`,
              seconds: done.steps.reduce((sum, step) => sum + step.ms, 0) / 1000,
              migrationId: done.id,
            });
          } catch (error) {
            summary.push({
              slug: entry.slug,
              outcome: `refused: ${(error as Error).message}`,
              seconds: 0,
              migrationId: null,
            });
          }
        }
        output.result({ to: options.to, instances: summary }, () =>
          table([
            ['INSTANCE', 'OUTCOME', 'SECONDS', 'MIGRATION'],
            ...summary.map((row) => [row.slug, row.outcome, row.seconds.toFixed(1), row.migrationId ?? '']),
          ]),
        );
        if (summary.some((row) => row.outcome !== 'moved' && row.outcome !== 'already there'))
          throw new RoostError(
            'internal',
            'the disaster recovery plan did not move every production instance',
          );
      }),
    );

  const dns = program
    .command('dns')
    .description("the DNS server of migrations' name switch (RFC 2136, TSIG)");
  dns
    .command('key')
    .description('the TSIG key')
    .command('set')
    .description(
      'store the TSIG secret (base64, as tsig-keygen prints it) read from standard input, in the vault; admins',
    )
    .action(async (_options: unknown, command: Command) =>
      withClient(command, async (client, { output }) => {
        const secret = (await readStdin()).trim();
        await client.call('dns.key.set', { secret });
        output.result({ stored: true }, () => 'TSIG secret stored in the vault');
      }),
    );
}

function planTable(plan: PlanBody): string {
  if (plan.instances.length === 0) return 'no production instance';
  return table([
    ['INSTANCE', 'CUSTOMER', 'STATE', 'FROM', 'TO', 'ACTION', 'NEWEST BACKUP'],
    ...plan.instances.map((entry) => [
      entry.slug,
      entry.customer,
      entry.state,
      entry.from,
      entry.to,
      entry.action,
      entry.latestBackup ? `${entry.latestBackup.id} (${entry.latestBackup.createdAt})` : 'none',
    ]),
  ]);
}

function describe(slug: string, migration: MigrationBody): string {
  const total = migration.steps.reduce((sum, step) => sum + step.ms, 0);
  return [
    `migration ${migration.id} of ${slug} (${migration.source} → ${migration.target}): ${migration.state}${migration.error ? `: ${migration.error}` : ''}`,
    ...migration.steps.map((step) => `  ${step.step}: ${step.ms} ms${step.note ? `  ${step.note}` : ''}`),
    `  total: ${(total / 1000).toFixed(1)} s`,
  ].join('\n');
}

/** Follows a migration to its end; on the server, runs the migration and backup queues while it waits. */
async function follow(
  client: ApiClient,
  output: Output,
  queued: MigrationBody,
  timeoutSeconds: number,
): Promise<MigrationBody> {
  runJobsHere(client.roost, [
    (roost) => registerBackupJobs(roost.backups),
    (roost) =>
      registerMigrationJobs(
        migrationDepsFrom({ ...apiDepsOf(roost), lifecycle: roost.lifecycle, conditions: roost.conditions }),
      ),
  ]);
  return followUntilEnded(output, timeoutSeconds, {
    read: () => client.call<MigrationBody>('migrations.get', { id: queued.id }),
    line: (migration) => `${migration.state}: step ${migration.step}`,
    ended: (migration) => migration.state !== 'queued' && migration.state !== 'running',
    stillRunning: () => `migration ${queued.id} did not end in ${timeoutSeconds} s; it goes on`,
    intervalMs: 1_000,
  });
}
