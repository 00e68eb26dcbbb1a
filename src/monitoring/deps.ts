import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../observability/index.ts';
import type { Store } from '../store/index.ts';

/** What monitoring operations work with. */
export interface MonitoringDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  logger?: Logger | undefined;
}
