import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';
import type { RandomSource } from './random.ts';

const lockName = 'rotation_lock';
// Rotations re-wrap a handful of data keys (one per past rotation); a lock older than this was abandoned.
const leaseMilliseconds = 15 * 60_000;

interface Lock {
  holder: string;
  startedAt: number;
  expiresAt: number;
}

/**
 * One rotation at a time across processes: two key-file rotations at once could each write a key file
 * without the other's new key and lose it. Returns the release function.
 */
export async function acquireRotationLock(
  db: Kysely<Database>,
  clock: Clock,
  random: RandomSource,
): Promise<() => Promise<void>> {
  const now = clock.now().getTime();
  const value = JSON.stringify({
    holder: random(8).toString('hex'),
    startedAt: now,
    expiresAt: now + leaseMilliseconds,
  } satisfies Lock);
  try {
    await db.transaction().execute(async (transaction) => {
      const held = await readLock(transaction);
      if (held && held.lock.expiresAt > now) throw busy(held.lock);
      if (held)
        await transaction
          .deleteFrom('vault_meta')
          .where('name', '=', lockName)
          .where('value', '=', held.value)
          .execute();
      await transaction.insertInto('vault_meta').values({ name: lockName, value }).execute();
    });
  } catch (error) {
    const held = await readLock(db);
    if (held && held.value !== value) throw busy(held.lock);
    throw error;
  }
  return async () => {
    await db.deleteFrom('vault_meta').where('name', '=', lockName).where('value', '=', value).execute();
  };
}

async function readLock(db: Kysely<Database>): Promise<{ value: string; lock: Lock } | undefined> {
  const row = await db
    .selectFrom('vault_meta')
    .select('value')
    .where('name', '=', lockName)
    .executeTakeFirst();
  return row && { value: row.value, lock: JSON.parse(row.value) as Lock };
}

function busy(lock: Lock): RoostError {
  return new RoostError(
    'conflict',
    `another vault rotation has been running since ${new Date(lock.startedAt).toISOString()}; wait for it to finish (its lock expires at ${new Date(lock.expiresAt).toISOString()})`,
  );
}
