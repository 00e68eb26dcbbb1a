import type { AuditLog } from '../audit/types.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { ConditionReporter } from '../core/conditions.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import type { RetentionPolicy } from './retention.ts';
import type { BackupTarget } from './targets/types.ts';

export interface BackupSettings {
  retention: RetentionPolicy;
  /** Daily backups start between these local times (`HH:MM`), spread by instance. */
  window: { from: string; to: string };
  timeZone: string;
  /** How often each live instance's latest good backup is restored into a throw-away instance. */
  drills: 'daily' | 'weekly' | 'monthly' | 'off';
}

export const defaultBackupSettings: BackupSettings = {
  retention: { daily: 20, weekly: 0, monthly: 0 },
  window: { from: '01:00', to: '05:00' },
  timeZone: 'Europe/Paris',
  drills: 'weekly',
};

/** What every backup operation and job works with. */
export interface BackupDeps {
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  jobs: Jobs;
  runtime: Runtime;
  target: BackupTarget;
  settings: BackupSettings;
  logger?: Logger | undefined;
  /** Where failed backups and failed restore drills alert; default: nowhere (`ignoredConditions`). */
  conditions?: ConditionReporter | undefined;
  /** The installation's runtime defaults, for the instances a restore `--into` or a drill creates. */
  config?: Pick<Config, 'runtime'> | undefined;
}
