import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { registerBackupJobs } from '../../backups/index.ts';
import { RoostError } from '../../core/errors.ts';
import type { ApiClient } from '../client.ts';
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

interface RestoreBody {
  slug: string;
  backupId: string;
  durationMs: number;
  steps: Array<{ step: string; ms: number }>;
  rowCounts: { match: boolean; expected: Record<string, number> };
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
      'restore a backup into the instance (replaces its data): checksums are checked first, row counts after; production needs an admin with a fresh second factor',
    )
    .option('--backup <id>', 'the backup to restore (default: the newest good one)')
    .requiredOption('--confirm <slug>', 'repeat the slug to confirm that its data is replaced')
    .action(async (slug: string, options: { backup?: string; confirm: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        output.info(`restoring ${slug}: verifying checksums, then gpg → zstd → pg_restore`);
        const report = await client.call<RestoreBody>('backups.restore', {
          slug,
          confirm: options.confirm,
          ...(options.backup ? { backupId: options.backup } : {}),
        });
        output.result(report, () =>
          [
            `restored ${report.backupId} into ${report.slug} in ${(report.durationMs / 1000).toFixed(1)} s; row counts ${report.rowCounts.match ? 'match' : 'DIFFER'}`,
            ...report.steps.map((step) => `  ${step.step}: ${step.ms} ms`),
          ].join('\n'),
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

/** Follows a backup to its end; on the server, runs the backup queue in this process while it waits. */
async function follow(
  client: ApiClient,
  output: Output,
  queued: BackupBody,
  timeoutSeconds: number,
): Promise<BackupBody> {
  if (client.roost) {
    registerBackupJobs(client.roost.backups);
    client.roost.jobs.start();
  }
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const current = await client.call<BackupBody>('backups.get', { id: queued.id });
    const line = `${current.state}: ${current.progress ?? ''}`;
    if (line !== last) output.info(line);
    last = line;
    if (current.state === 'succeeded') return current;
    if (current.state === 'failed')
      throw new RoostError('internal', `backup ${current.id} failed: ${current.error}`);
    if (Date.now() > deadline)
      throw new RoostError(
        'unavailable',
        `backup ${current.id} still ${current.state} after ${timeoutSeconds} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
