import type { Instance } from './records.ts';

/**
 * What another domain does when an instance comes to life or is erased (backup keys, monitors, status
 * pages, logs). Listeners run inside the converge job, so a crash retries them: both calls are idempotent.
 */
export interface InstanceLifecycleListener {
  /** Names the listener in errors and on the erasure certificate (`backups`, `monitoring`, …). */
  name: string;
  /** After every successful converge of a create, scale or update: make sure this domain's setup exists. */
  provisioned?(instance: Instance): Promise<void>;
  /** During decommission, before the certificate is signed: erase what this domain keeps for the instance. */
  erase?(instance: Instance): Promise<{ items: string[] }>;
  /** What this domain keeps after erasure, and why: stated on the certificate. */
  retained?: Array<{ what: string; policy: string }>;
}
