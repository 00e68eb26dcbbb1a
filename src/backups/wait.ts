import { RoostError } from '../core/errors.ts';
import type { Store } from '../store/index.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value; `unavailable` naming `what` at the deadline. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new RoostError('unavailable', `${what} did not end within ${Math.round(timeoutMs / 1000)} s`);
    await pause(intervalMs);
  }
}

/** Waits for an instance operation (create, remove) run by the converge job; throws its error if it failed. */
export async function waitForOperation(
  store: Store,
  operationId: string,
  what: string,
  timeoutMs = 15 * 60_000,
): Promise<void> {
  await pollUntil(
    what,
    async () => {
      const row = await store.db
        .selectFrom('instance_operations')
        .select(['state', 'error'])
        .where('id', '=', operationId)
        .executeTakeFirst();
      if (row?.state === 'failed') throw new RoostError('internal', `${what} failed: ${row.error}`);
      return row?.state === 'succeeded' ? true : undefined;
    },
    timeoutMs,
  );
}

/** Waits for a backup run by the `backup.run` job; throws its error if it failed. */
export async function waitForBackup(store: Store, backupId: string, timeoutMs = 60 * 60_000): Promise<void> {
  await pollUntil(
    `backup ${backupId}`,
    async () => {
      const row = await store.db
        .selectFrom('backups')
        .select(['state', 'error'])
        .where('id', '=', backupId)
        .executeTakeFirst();
      if (row?.state === 'failed')
        throw new RoostError('internal', `backup ${backupId} failed: ${row.error}`);
      return row?.state === 'succeeded' || row?.state === 'pruned' ? true : undefined;
    },
    timeoutMs,
  );
}
