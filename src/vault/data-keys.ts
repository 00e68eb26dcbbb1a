import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/index.ts';
import { dataKeyAad, seal, unseal } from './envelope.ts';
import { dataKeyAltered, wrongMasterKey } from './errors.ts';
import type { Keyring } from './keyring.ts';
import type { MasterKey } from './master-key.ts';
import type { RandomSource } from './random.ts';

const dataKeyLength = 32;

/** Unwraps data keys through the keyring and keeps them in memory by id (a re-wrap never changes them). */
export class DataKeys {
  readonly #db: Kysely<Database>;
  readonly #keyring: Keyring;
  readonly #cache = new Map<string, Buffer>();

  constructor(db: Kysely<Database>, keyring: Keyring) {
    this.#db = db;
    this.#keyring = keyring;
  }

  async unwrap(id: string): Promise<Buffer> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    let row = await this.#row(id);
    let masterKey = this.#keyring.find(row.master_key_id);
    if (!masterKey) {
      // Another process may have rotated the master key: re-read the keys and the row once.
      await this.#keyring.reload();
      row = await this.#row(id);
      masterKey = this.#keyring.find(row.master_key_id);
    }
    if (!masterKey) {
      const { source, current, previous } = this.#keyring;
      throw wrongMasterKey(source, [current, ...previous], [row.master_key_id]);
    }
    const key = unseal(masterKey.key, row.wrapped, dataKeyAad(id));
    if (!key) throw dataKeyAltered(id, masterKey.id);
    this.#cache.set(id, key);
    return key;
  }

  /** The data key new secrets are encrypted with; read each time, since a rotation elsewhere changes it. */
  async active(): Promise<{ id: string; key: Buffer }> {
    const row = await this.#db
      .selectFrom('vault_data_keys')
      .select('id')
      .where('active', '=', 1)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!row) throw new RoostError('internal', 'the vault has no active data key');
    return { id: row.id, key: await this.unwrap(row.id) };
  }

  async #row(id: string) {
    const row = await this.#db
      .selectFrom('vault_data_keys')
      .select(['master_key_id', 'wrapped'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new RoostError('internal', `data key ${id} is missing from the vault`);
    return row;
  }
}

/** Makes a new random data key, wrapped by `masterKey`, the active one; run inside a transaction. */
export async function insertActiveDataKey(
  db: Kysely<Database>,
  masterKey: MasterKey,
  clock: Clock,
  random: RandomSource,
): Promise<string> {
  const now = clock.now();
  const id = newId('dk', now);
  const wrapped = seal(masterKey.key, random(dataKeyLength), dataKeyAad(id), random);
  await db.updateTable('vault_data_keys').set({ active: 0 }).where('active', '=', 1).execute();
  await db
    .insertInto('vault_data_keys')
    .values({
      id,
      master_key_id: masterKey.id,
      wrapped,
      active: 1,
      created_at: now.getTime(),
      rewrapped_at: null,
    })
    .execute();
  return id;
}

export async function masterKeyIdsInUse(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('vault_data_keys')
    .select('master_key_id')
    .distinct()
    .orderBy('master_key_id')
    .execute();
  return rows.map((row) => row.master_key_id);
}
