import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/index.ts';

/** What incident operations work with. */
export interface IncidentDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
}
