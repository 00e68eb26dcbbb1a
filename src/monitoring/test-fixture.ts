// Shared set-up for the monitoring tests: a real store (per dialect), vault, audit log and a test clock.
import path from 'node:path';
import type { TestStore } from '../../test/fixtures/store.ts';
import { createAuditLog } from '../audit/index.ts';
import { type Actor, localActor } from '../auth/actor.ts';
import { ManualClock } from '../core/clock.ts';
import { openVault } from '../vault/index.ts';
import type { MonitoringDeps } from './deps.ts';

export interface MonitoringTest {
  deps: MonitoringDeps;
  clock: ManualClock;
  local: Actor;
}

export async function openMonitoring(
  opened: TestStore | undefined,
  start = '2026-03-02T09:00:00Z',
): Promise<MonitoringTest | undefined> {
  if (!opened) return undefined;
  const { store } = opened;
  const clock = new ManualClock(start);
  const vault = await openVault({ store, clock }, { keyFile: path.join(opened.directory, 'master.key') });
  const audit = await createAuditLog({ store, vault, clock });
  return { deps: { store, clock, audit }, clock, local: localActor(clock) };
}
