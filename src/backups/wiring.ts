import path from 'node:path';
import type { AuditLog } from '../audit/types.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { ConditionReporter } from '../core/conditions.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { type BackupDeps, defaultBackupSettings } from './deps.ts';
import { installationSshKey } from './ssh-client-key.ts';
import { createLocalTarget } from './targets/local.ts';
import { createSftpTarget } from './targets/sftp.ts';
import type { BackupTarget } from './targets/types.ts';

/** Where backups go (a local directory or a backup node over SFTP) and how long they stay, from the configuration. */
export function backupDepsFrom(deps: {
  config: Config;
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  jobs: Jobs;
  runtime: Runtime;
  logger?: Logger | undefined;
  conditions?: ConditionReporter | undefined;
}): BackupDeps {
  const { backups } = deps.config;
  return {
    store: deps.store,
    vault: deps.vault,
    clock: deps.clock,
    audit: deps.audit,
    jobs: deps.jobs,
    runtime: deps.runtime,
    logger: deps.logger,
    conditions: deps.conditions,
    config: deps.config,
    target: targetOf(deps.config, deps.vault),
    settings: {
      ...defaultBackupSettings,
      retention: { daily: backups.keepDaily, weekly: backups.keepWeekly, monthly: backups.keepMonthly },
      window: { from: backups.windowStart, to: backups.windowEnd },
      timeZone: deps.config.timeZone,
      drills: backups.drills.every,
    },
  };
}

function targetOf(config: Config, vault: Vault): BackupTarget {
  const { backups } = config;
  if (backups.target === 'sftp' && backups.sftp) {
    const { host, port, user, directory, hostKey } = backups.sftp;
    return createSftpTarget({
      host,
      port,
      username: user,
      directory,
      hostKeyFingerprint: hostKey,
      privateKey: async () => (await installationSshKey(vault)).privateKey,
    });
  }
  return createLocalTarget(backups.directory ?? path.join(config.dataDir, 'backups'));
}
