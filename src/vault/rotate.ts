import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';
import { insertActiveDataKey, masterKeyIdsInUse } from './data-keys.ts';
import { dataKeyAad, seal, unseal } from './envelope.ts';
import { dataKeyAltered, wrongMasterKey } from './errors.ts';
import type { Keyring } from './keyring.ts';
import type { MasterKey } from './master-key.ts';
import type { RandomSource } from './random.ts';
import { acquireRotationLock } from './rotation-lock.ts';

export interface RotationContext {
  db: Kysely<Database>;
  keyring: Keyring;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
}

export interface RotationResult {
  masterKeyId: string;
  /** Data keys re-wrapped by this run. */
  rewrapped: number;
}

/**
 * Re-wraps every data key under the current master key while other processes keep using the vault. With a
 * key file or a passphrase it first adds a new key next to the old ones, and forgets the old ones only once
 * nothing is wrapped by them; with ROOST_MASTER_KEY the operator supplies the new and previous keys.
 */
export async function rotateMasterKey(
  { db, keyring, clock, random, logger }: RotationContext,
  onProgress?: (done: number, total: number) => void,
): Promise<RotationResult> {
  const startedAt = clock.now().getTime();
  const release = await acquireRotationLock(db, clock, random);
  try {
    await keyring.reload();
    const unknown = (await masterKeyIdsInUse(db)).filter((id) => !keyring.find(id));
    if (unknown.length > 0)
      throw wrongMasterKey(keyring.source, [keyring.current, ...keyring.previous], unknown);

    const { source } = keyring;
    if (source.addKey) keyring.use(await source.addKey());
    const current = keyring.current;
    await db.transaction().execute(async (transaction) => {
      const active = await transaction
        .selectFrom('vault_data_keys')
        .select('master_key_id')
        .where('active', '=', 1)
        .executeTakeFirst();
      // New secrets go under a data key the old master key never wrapped; a re-run after a crash adds none.
      if (active?.master_key_id !== current.id)
        await insertActiveDataKey(transaction, current, clock, random);
    });

    const pending = await db
      .selectFrom('vault_data_keys')
      .select('id')
      .where('master_key_id', '!=', current.id)
      .orderBy('created_at')
      .execute();
    let rewrapped = 0;
    onProgress?.(0, pending.length);
    for (const [index, { id }] of pending.entries()) {
      if (await rewrapDataKey(db, keyring, current, id, clock, random)) rewrapped++;
      onProgress?.(index + 1, pending.length);
    }

    const left = (await masterKeyIdsInUse(db)).filter((id) => id !== current.id);
    if (left.length > 0) {
      throw new RoostError(
        'internal',
        `data keys are still wrapped by ${left.join(', ')} after the rotation; run it again`,
      );
    }
    if (source.dropPreviousKeys) {
      await source.dropPreviousKeys(current);
      keyring.use([current]);
    }
    logger.info(
      {
        masterKeyId: current.id,
        keySource: source.kind,
        rewrapped,
        durationMs: clock.now().getTime() - startedAt,
      },
      'vault master key rotated',
    );
    return { masterKeyId: current.id, rewrapped };
  } finally {
    await release();
  }
}

/** True if this call re-wrapped the data key, false if another process already had. */
async function rewrapDataKey(
  db: Kysely<Database>,
  keyring: Keyring,
  current: MasterKey,
  id: string,
  clock: Clock,
  random: RandomSource,
): Promise<boolean> {
  for (;;) {
    const row = await db
      .selectFrom('vault_data_keys')
      .select(['master_key_id', 'wrapped'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (row.master_key_id === current.id) return false;
    const masterKey = keyring.find(row.master_key_id);
    if (!masterKey) throw wrongMasterKey(keyring.source, [current, ...keyring.previous], [row.master_key_id]);
    const dataKey = unseal(masterKey.key, row.wrapped, dataKeyAad(id));
    if (!dataKey) throw dataKeyAltered(id, masterKey.id);
    // One conditional UPDATE is its own small transaction; matching the old value detects a concurrent change.
    const result = await db
      .updateTable('vault_data_keys')
      .set({
        master_key_id: current.id,
        wrapped: seal(current.key, dataKey, dataKeyAad(id), random),
        rewrapped_at: clock.now().getTime(),
      })
      .where('id', '=', id)
      .where('wrapped', '=', row.wrapped)
      .executeTakeFirst();
    if (result.numUpdatedRows === 1n) return true;
  }
}
