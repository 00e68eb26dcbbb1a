import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Store } from '../store/index.ts';

/** What incident operations work with. */
export interface IncidentDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  /** Queues the mails of public updates to status page subscribers; without it nothing is mailed. */
  jobs?: Jobs | undefined;
}
