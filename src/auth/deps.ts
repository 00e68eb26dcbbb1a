import type { AuditLog } from '../audit/types.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../observability/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

/** What every access operation (users, sessions, second factor, tokens, login) works with. */
export interface AccessDeps {
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  logger?: Logger | undefined;
  settings: Config['auth'];
}
