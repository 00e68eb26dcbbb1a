import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/index.ts';

/** What status operations work with. */
export interface StatusDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}
