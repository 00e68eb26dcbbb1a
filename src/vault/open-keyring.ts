import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Database } from '../store/index.ts';
import { insertActiveDataKey, masterKeyIdsInUse } from './data-keys.ts';
import { missingMasterKey, wrongMasterKey } from './errors.ts';
import type { KeySource } from './key-sources.ts';
import { Keyring } from './keyring.ts';
import type { RandomSource } from './random.ts';

/**
 * Creates the vault when it has no data key yet (the only moment a key file or salt is created); otherwise
 * checks that the source holds every master key the data keys are wrapped by, and writes nothing.
 */
export async function openKeyring(
  db: Kysely<Database>,
  source: KeySource,
  clock: Clock,
  random: RandomSource,
): Promise<{ keyring: Keyring; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const wrappedBy = await masterKeyIdsInUse(db);
    const keys = await source.load();
    if (wrappedBy.length === 0) {
      try {
        const created = await db.transaction().execute(async (transaction) => {
          const first = keys ?? (await source.create(transaction));
          const [current] = first;
          if (!current) throw new Error('the key source returned no key');
          // The primary key makes a second process creating the vault at the same moment fail here.
          await transaction
            .insertInto('vault_meta')
            .values({ name: 'created_at', value: String(clock.now().getTime()) })
            .execute();
          await insertActiveDataKey(transaction, current, clock, random);
          return first;
        });
        return { keyring: new Keyring(source, created), created: true };
      } catch (error) {
        if (attempt === 1 && (await masterKeyIdsInUse(db)).length > 0) continue;
        throw error;
      }
    }
    if (!keys) throw missingMasterKey(source, wrappedBy);
    const unknown = wrappedBy.filter((id) => !keys.some((key) => key.id === id));
    if (unknown.length === 0) return { keyring: new Keyring(source, keys), created: false };
    // A rotation by another process may have moved between the two reads: look once more.
    if (attempt === 1) continue;
    throw wrongMasterKey(source, keys, unknown);
  }
}
