import type { Clock } from '../core/clock.ts';
import type { Logger } from '../observability/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { appendEvent } from './append.ts';
import { loadChainKey } from './chain-key.ts';
import { exportEvents, listEvents } from './list.ts';
import type { AuditLog } from './types.ts';
import { verifyChain } from './verify.ts';

export interface AuditLogDeps {
  store: Store;
  vault: Vault;
  clock: Clock;
  logger?: Logger | undefined;
}

/** The audit trail: an append-only HMAC chain in `audit_events`, its key in the vault (created on first use). */
export async function createAuditLog(deps: AuditLogDeps): Promise<AuditLog> {
  const { store, clock, logger } = deps;
  const chainKey = await loadChainKey(deps);
  const context = { db: store.db, dialect: store.dialect, clock, chainKey, logger };
  return {
    append: (event, options) => appendEvent(context, event, options?.db),
    list: (filter) => listEvents(store.db, filter),
    exportNdjson: (filter) => exportEvents(store.db, filter),
    verify: async (options) => {
      const started = performance.now();
      const verification = await verifyChain(store.db, chainKey, options);
      const durationMs = Math.round(performance.now() - started);
      const summary = { checked: verification.checked, problems: verification.problems.length, durationMs };
      if (verification.ok) logger?.info(summary, 'audit chain verified');
      else logger?.error({ ...summary, first: verification.problems[0] }, 'audit chain verification failed');
      return verification;
    },
  };
}
