import type { AuditLog } from '../audit/types.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Logger } from '../observability/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import type { InstanceLifecycleListener } from './lifecycle.ts';

/** What every instance operation and the converge job work with. */
export interface InstanceDeps {
  /** The installation's runtime defaults (driver and images of new instances). */
  config?: Pick<Config, 'runtime'> | undefined;
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  jobs: Jobs;
  runtime: Runtime;
  logger?: Logger | undefined;
  /** Other domains' setup and erasure for each instance, in order. */
  lifecycle?: readonly InstanceLifecycleListener[] | undefined;
}
