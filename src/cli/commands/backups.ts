import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { registerBackupJobs } from '../../backups/index.ts';
import { RoostError } from '../../core/errors.ts';
import { registerInstanceJobs } from '../../instances/index.ts';
import { apiDepsOf } from '../../main.ts';
import type { ApiClient } from '../client.ts';
import { followUntilEnded, runJobsHere } from '../follow.ts';
import { type Output, table } from '../output.ts';
import { withClient } from './with-client.ts';

interface BackupBody {
  id: string;
  state: string;
  trigger: string;
  target: string;
  bytes: number | null;
  progress: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  manifest: { key?: { fingerprint?: string }; rowCounts?: Record<string, number> } | null;
}

interface RestoreReportBody {
  slug: string;
  backupId: string;
  durationMs: number;
  steps: Array<{ step: string; ms: number }>;
  rowCounts: { match: boolean; expected: Record<string, number> };
  restoredInto?: string;
  safetyBackupId?: string;
  status?: { url: string; ok: boolean };
}

interface RestoreBody {
  id: string;
  slug: string;
  backupId: string;
  into: { slug: string; environment: string; runtime: string } | null;
  state: string;
  progress: string | null;
  error: string | null;
  report: RestoreReportBody | null;
  requestedBy: { id: string; label: string };
  createdAt: string;
}

interface DrillBody {
  id: string;
  slug: string;
  backupId: string | null;
  scratchSlug: string;
  trigger: string;
  state: string;
  progress: string | null;
  steps: Array<{ step: string; ms: number }>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const size = (bytes: number | null): string =>
  bytes === null
    ? ''
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const duration = (backup: BackupBody): string =>
  backup.startedAt && backup.finishedAt
    ? `${((Date.parse(backup.finishedAt) - Date.parse(backup.startedAt)) / 1000).toFixed(1)} s`
    : '';

export function registerBackups(program: Command): void {
  const backup = program
    .command('backup')
    .description("instances' encrypted backups: run, list, restore, keys");
  backup
    .command('run <slug>')
    .description('back the instance up now and follow it with progress on standard error')
    .option('--no-wait', 'queue the backup and return at once')
    .option('--timeout <seconds>', 'how long to wait', Number, 3600)
    .action(async (slug: string, options: { wait: boolean; timeout: number }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const queued = await client.call<BackupBody>('backups.run', { slug });
        const result = options.wait ? await follow(client, output, queued, options.timeout) : queued;
        output.result(result, () => describe(slug, result));
      }),
    );
  backup
    .command('list <slug>')
    .description("an instance's backups, newest first; only succeeded ones count")
    .option('--all', 'include pruned backups (history)')
    .action(async (slug: string, options: { all?: boolean }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { backups } = await client.call<{ backups: BackupBody[] }>('backups.list', {
          slug,
          ...(options.all ? { includePruned: 'true' } : {}),
        });
        output.result({ backups }, () =>
          table([
            ['BACKUP', 'STATE', 'TRIGGER', 'CREATED', 'SIZE', 'DURATION', 'NOTE'],
            ...backups.map((entry) => [
              entry.id,
              entry.state,
              entry.trigger,
              entry.createdAt,
              size(entry.bytes),
              duration(entry),
              entry.error ?? (entry.state === 'succeeded' ? 'verified' : (entry.progress ?? '')),
            ]),
          ]),
        );
      }),
    );
  backup
    .command('restore <slug>')
    .description(
      "queue a restore of a backup and follow it with progress on standard error: checksums first, then into the instance itself (replaces its data; a safety backup of the current data is taken first) or --into a new instance; row counts and the app's /status are checked after; production needs an admin with a fresh second factor",
    )
    .option('--backup <id>', 'the backup to restore (default: the newest good one)')
    .option('--confirm <slug>', 'repeat the slug to confirm that its data is replaced (in-place restore)')
    .option('--into <new-slug>', "provision a new instance (the source's customer) and restore into it")
    .option('--environment <env>', 'environment of the --into instance (default staging)')
    .option('--runtime <runtime>', "runtime of the --into instance (default the source's)")
    .option('--no-wait', 'queue the restore and return at once (follow it with roost backup restores)')
    .option('--timeout <seconds>', 'how long to wait', Number, 3600)
    .action(
      async (
        slug: string,
        options: {
          backup?: string;
          confirm?: string;
          into?: string;
          environment?: string;
          runtime?: string;
          wait: boolean;
          timeout: number;
        },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          if (!options.into && options.confirm === undefined)
            throw new RoostError(
              'invalid_input',
              `restoring replaces the data of ${slug}: confirm with --confirm ${slug}, or restore --into a new instance`,
            );
          const queued = await client.call<RestoreBody>('backups.restores.start', {
            slug,
            ...(options.confirm === undefined ? {} : { confirm: options.confirm }),
            ...(options.backup ? { backupId: options.backup } : {}),
            ...(options.into ? { into: options.into } : {}),
            ...(options.environment ? { environment: options.environment } : {}),
            ...(options.runtime ? { runtime: options.runtime } : {}),
          });
          if (!options.wait) {
            output.result(queued, () => `restore ${queued.id} of ${slug} queued (backup ${queued.backupId})`);
            return;
          }
          runWorkersHere(client);
          output.info(
            options.into
              ? `restoring ${queued.backupId} of ${slug} into a new instance ${options.into}: checksums, provisioning, gpg → zstd → pg_restore, row counts, /status`
              : `restoring ${queued.backupId} of ${slug}: checksums, safety backup of the current data, gpg → zstd → pg_restore, row counts, /status`,
          );
          const restore = await followUntilEnded(output, options.timeout, {
            read: () => client.call<RestoreBody>('backups.restores.get', { id: queued.id }),
            line: (current) => `${current.state}: ${current.progress ?? ''}`,
            ended: (current) => current.state === 'succeeded' || current.state === 'failed',
            stillRunning: (current) =>
              `restore ${current.id} still ${current.state} after ${options.timeout} s; follow it with roost backup restores ${slug}`,
          });
          if (restore.state === 'failed' || !restore.report)
            throw new RoostError('internal', `restore ${restore.id} failed: ${restore.error}`);
          const { report } = restore;
          output.result(restore, () =>
            [
              `restored ${report.backupId} into ${report.restoredInto ?? report.slug} in ${(report.durationMs / 1000).toFixed(1)} s; row counts ${report.rowCounts.match ? 'match' : 'DIFFER'}; /status ${report.status?.ok ? 'OK' : 'not checked'}`,
              ...(report.safetyBackupId
                ? [`safety backup of the data it replaced: ${report.safetyBackupId}`]
                : []),
              ...report.steps.map((step) => `  ${step.step}: ${step.ms} ms`),
            ].join('\n'),
          );
        }),
    );
  backup
    .command('restores [slug]')
    .description('restores, newest first, of every instance or of one, with their state and outcome')
    .action(async (slug: string | undefined, _options: unknown, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { restores } = await client.call<{ restores: RestoreBody[] }>(
          'backups.restores.list',
          slug ? { slug } : {},
        );
        output.result({ restores }, () =>
          table([
            ['RESTORE', 'INSTANCE', 'INTO', 'STATE', 'BACKUP', 'REQUESTED BY', 'CREATED', 'NOTE'],
            ...restores.map((entry) => [
              entry.id,
              entry.slug,
              entry.into?.slug ?? '(in place)',
              entry.state,
              entry.backupId,
              entry.requestedBy.label,
              entry.createdAt,
              entry.error ?? entry.progress ?? '',
            ]),
          ]),
        );
      }),
    );
  const drill = backup
    .command('drill')
    .description(
      'restore drills: the latest good backup restored into a throw-away instance, verified, removed',
    );
  drill
    .command('run <slug>')
    .description('run a restore drill of the instance now and follow it with progress on standard error')
    .option('--timeout <seconds>', 'how long to wait', Number, 3600)
    .action(async (slug: string, options: { timeout: number }, command: Command) =>
      withClient(command, async (client, { output }) => {
        runWorkersHere(client);
        const queued = await client.call<DrillBody>('backups.drills.run', { slug });
        const result = await followDrill(client, output, queued, options.timeout);
        output.result(result, () =>
          [
            `restore drill ${result.id} of ${slug} ${result.state}${result.error ? `: ${result.error}` : ''}`,
            ...result.steps.map((step) => `  ${step.step}: ${step.ms} ms`),
          ].join('\n'),
        );
        if (result.state !== 'succeeded') process.exitCode = 1;
      }),
    );
  drill
    .command('list [slug]')
    .description('restore drills, newest first, of every instance or of one')
    .action(async (slug: string | undefined, _options: unknown, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { drills } = await client.call<{ drills: DrillBody[] }>(
          'backups.drills.list',
          slug ? { slug } : {},
        );
        output.result({ drills }, () =>
          table([
            ['DRILL', 'INSTANCE', 'STATE', 'TRIGGER', 'BACKUP', 'STARTED', 'DURATION', 'NOTE'],
            ...drills.map((entry) => [
              entry.id,
              entry.slug,
              entry.state,
              entry.trigger,
              entry.backupId ?? '',
              entry.startedAt ?? '',
              entry.startedAt && entry.finishedAt
                ? `${((Date.parse(entry.finishedAt) - Date.parse(entry.startedAt)) / 1000).toFixed(1)} s`
                : '',
              entry.error ?? entry.progress ?? '',
            ]),
          ]),
        );
      }),
    );
  const key = backup.command('key').description("instances' OpenPGP backup keys");
  key
    .command('export <slug>')
    .description(
      "print the instance's private key (armoured) for the admins' password manager; admins with a fresh second factor; audited",
    )
    .option('--output <file>', 'write it to this file (mode 0600) instead of standard output')
    .action(async (slug: string, options: { output?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const exported = await client.call<{ slug: string; fingerprint: string; privateKey: string }>(
          'backups.key.export',
          { slug },
        );
        if (options.output) {
          writeFileSync(options.output, exported.privateKey, { mode: 0o600 });
          output.info(`private key ${exported.fingerprint} of ${slug} written to ${options.output}`);
        } else output.result(exported, () => exported.privateKey.trimEnd());
      }),
    );
}

function describe(slug: string, backup: BackupBody): string {
  const outcome = backup.error ? `: ${backup.error}` : backup.progress ? ` (${backup.progress})` : '';
  return `backup ${backup.id} of ${slug} ${backup.state}${outcome}`;
}

/** The jobs a backup, a restore or a drill waits for: provisioning, the backup, the drill itself. */
function runWorkersHere(client: ApiClient): void {
  runJobsHere(client.roost, [
    (roost) => registerInstanceJobs({ ...apiDepsOf(roost), lifecycle: roost.lifecycle }),
    (roost) => registerBackupJobs(roost.backups),
  ]);
}

async function followDrill(
  client: ApiClient,
  output: Output,
  queued: DrillBody,
  timeoutSeconds: number,
): Promise<DrillBody> {
  return followUntilEnded(output, timeoutSeconds, {
    read: () => client.call<DrillBody>('backups.drills.get', { id: queued.id }),
    line: (drill) => `${drill.state}: ${drill.progress ?? ''}`,
    ended: (drill) => drill.state === 'succeeded' || drill.state === 'failed',
    stillRunning: (drill) => `restore drill ${drill.id} still ${drill.state} after ${timeoutSeconds} s`,
  });
}

/** Follows a backup to its end; on the server, runs the backup queue in this process while it waits. */
async function follow(
  client: ApiClient,
  output: Output,
  queued: BackupBody,
  timeoutSeconds: number,
): Promise<BackupBody> {
  runWorkersHere(client);
  const backup = await followUntilEnded(output, timeoutSeconds, {
    read: () => client.call<BackupBody>('backups.get', { id: queued.id }),
    line: (current) => `${current.state}: ${current.progress ?? ''}`,
    ended: (current) => current.state === 'succeeded' || current.state === 'failed',
    stillRunning: (current) => `backup ${current.id} still ${current.state} after ${timeoutSeconds} s`,
  });
  if (backup.state === 'failed')
    throw new RoostError('internal', `backup ${backup.id} failed: ${backup.error}`);
  return backup;
}
