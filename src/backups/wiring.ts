import path from 'node:path';
import type { AuditLog } from '../audit/types.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { type BackupDeps, defaultBackupSettings } from './deps.ts';
import { createLocalTarget } from './targets/local.ts';

/** Where backups go and how long they stay, from the configuration: a local target under the data dir. */
export function backupDepsFrom(deps: {
  config: Config;
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  jobs: Jobs;
  runtime: Runtime;
  logger?: Logger | undefined;
}): BackupDeps {
  return {
    store: deps.store,
    vault: deps.vault,
    clock: deps.clock,
    audit: deps.audit,
    jobs: deps.jobs,
    runtime: deps.runtime,
    logger: deps.logger,
    target: createLocalTarget(path.join(deps.config.dataDir, 'backups')),
    settings: { ...defaultBackupSettings, timeZone: deps.config.timeZone },
  };
}
