import type { AuditLog } from '../audit/types.ts';
import type { BackupDeps } from '../backups/index.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { ConditionReporter } from '../core/conditions.ts';
import type { InstanceLifecycleListener, RuntimeKind } from '../instances/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

/** What a migration works with: both drivers by name (the routed runtime only reaches the row's one). */
export interface MigrationDeps {
  config: Pick<Config, 'runtime' | 'dns' | 'drp'>;
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  jobs: Jobs;
  drivers: Record<RuntimeKind, Runtime>;
  /** Where the fresh backup is taken and read back (the installation's backup target). */
  backups: BackupDeps;
  logger?: Logger | undefined;
  /** Other domains' setup, run again once the instance row names its new driver (monitors follow it). */
  lifecycle?: readonly InstanceLifecycleListener[] | undefined;
  /** A failed or rolled-back migration of a drill or the DRP is an alert. */
  conditions?: ConditionReporter | undefined;
}
