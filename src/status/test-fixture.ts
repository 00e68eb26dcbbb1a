// Shared set-up for the incident and status tests: a real store (per dialect), vault, audit log, a test clock
// and instances written as rows (no runtime: these domains only need the instance to exist).
import path from 'node:path';
import type { TestStore } from '../../test/fixtures/store.ts';
import { createAuditLog } from '../audit/index.ts';
import type { AuditLog } from '../audit/types.ts';
import { type Actor, localActor } from '../auth/actor.ts';
import { ManualClock } from '../core/clock.ts';
import type { Store } from '../store/index.ts';
import { openVault, type Vault } from '../vault/index.ts';
import { insertInstanceRow } from './instance-row.ts';

export interface StatusTestDeps {
  store: Store;
  vault: Vault;
  clock: ManualClock;
  audit: AuditLog;
  local: Actor;
  /** Writes an instance row (running) and returns its id. */
  addInstance(slug: string, customer?: string): Promise<string>;
}

export async function openStatusDeps(
  opened: TestStore | undefined,
  start = '2026-11-02T09:00:00Z',
): Promise<StatusTestDeps | undefined> {
  if (!opened) return undefined;
  const { store } = opened;
  const clock = new ManualClock(start);
  const vault = await openVault({ store, clock }, { keyFile: path.join(opened.directory, 'master.key') });
  const audit = await createAuditLog({ store, vault, clock });
  return {
    store,
    vault,
    clock,
    audit,
    local: localActor(clock),
    addInstance: (slug, customer) => insertInstanceRow(store, clock, slug, customer),
  };
}
