import type { Kysely } from 'kysely';
import { type Logger, pino } from 'pino';
import type { Clock } from '../core/clock.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, Store } from '../store/index.ts';
import { DataKeys } from './data-keys.ts';
import { seal, secretAad, unseal } from './envelope.ts';
import { secretAltered } from './errors.ts';
import { generateSecret, isSecretKind, type SecretKind, secretKinds } from './generate.ts';
import { createKeySource, type KeySourceKind, type KeySourceOptions } from './key-sources.ts';
import type { Keyring } from './keyring.ts';
import { openKeyring } from './open-keyring.ts';
import { defaultScryptParams } from './passphrase.ts';
import { cryptoRandom, type RandomSource } from './random.ts';
import { type RotationResult, rotateMasterKey } from './rotate.ts';

export interface VaultDeps {
  store: Store;
  clock: Clock;
  logger?: Logger | undefined;
  /** Randomness for keys, nonces, salts and generated secrets; node:crypto unless a test injects one. */
  random?: RandomSource | undefined;
}

/**
 * `masterKey` (ROOST_MASTER_KEY) or `masterPassphrase`; with neither, the key file `keyFile`
 * (`<dataDir>/master.key`). `scrypt` sets the passphrase cost for a new vault and for rotations.
 */
export type VaultOptions = KeySourceOptions;

export interface SecretMetadata {
  id: string;
  owner: string;
  name: string;
  kind: string;
  createdAt: number;
  updatedAt: number;
}

export interface Vault {
  readonly keySource: KeySourceKind;
  readonly keyFile: string | undefined;
  currentKeyId(): string;
  /** Stores `value` as owner/name, replacing a previous value (the id stays). */
  put(owner: string, name: string, kind: string, value: string): Promise<{ id: string }>;
  /** Generates and stores a value of `kind`; the value is never returned, only revealed on purpose. */
  generate(owner: string, name: string, kind: SecretKind): Promise<{ id: string }>;
  reveal(owner: string, name: string): Promise<string>;
  list(owner?: string): Promise<SecretMetadata[]>;
  /** Removes one secret, or every secret of `owner` when `name` is absent; returns how many. */
  remove(owner: string, name?: string): Promise<number>;
  rotate(onProgress?: (done: number, total: number) => void): Promise<RotationResult>;
}

export async function openVault(deps: VaultDeps, options: VaultOptions): Promise<Vault> {
  const random = deps.random ?? cryptoRandom;
  const logger = deps.logger ?? pino({ enabled: false });
  const { db } = deps.store;
  const source = createKeySource(options, {
    db,
    random,
    logger,
    scrypt: options.scrypt ?? defaultScryptParams,
  });
  const { keyring, created } = await openKeyring(db, source, deps.clock, random);
  logger.info({ keySource: source.kind, masterKeyId: keyring.current.id, created }, 'vault opened');
  return new StoreVault(db, keyring, deps.clock, random, logger);
}

class StoreVault implements Vault {
  readonly #db: Kysely<Database>;
  readonly #keyring: Keyring;
  readonly #dataKeys: DataKeys;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, keyring: Keyring, clock: Clock, random: RandomSource, logger: Logger) {
    this.#db = db;
    this.#keyring = keyring;
    this.#dataKeys = new DataKeys(db, keyring);
    this.#clock = clock;
    this.#random = random;
    this.#logger = logger;
  }

  get keySource(): KeySourceKind {
    return this.#keyring.source.kind;
  }

  get keyFile(): string | undefined {
    return this.#keyring.source.keyFile;
  }

  currentKeyId(): string {
    return this.#keyring.current.id;
  }

  async put(owner: string, name: string, kind: string, value: string): Promise<{ id: string }> {
    checkName('owner', owner);
    checkName('name', name);
    checkName('kind', kind);
    const dataKey = await this.#dataKeys.active();
    const ciphertext = seal(
      dataKey.key,
      Buffer.from(value, 'utf8'),
      secretAad(owner, name, dataKey.id),
      this.#random,
    );
    const now = this.#clock.now();
    const changes = { kind, data_key_id: dataKey.id, ciphertext, updated_at: now.getTime() };
    const row = await this.#db
      .insertInto('vault_secrets')
      .values({ id: newId('sec', now), owner, name, created_at: now.getTime(), ...changes })
      .onConflict((conflict) => conflict.columns(['owner', 'name']).doUpdateSet(changes))
      .returning('id')
      .executeTakeFirstOrThrow();
    this.#logger.debug({ secretId: row.id, owner, name, kind, dataKeyId: dataKey.id }, 'secret stored');
    return { id: row.id };
  }

  async generate(owner: string, name: string, kind: SecretKind): Promise<{ id: string }> {
    if (!isSecretKind(kind)) {
      throw new RoostError(
        'invalid_input',
        `unknown secret kind ${kind}; expected ${secretKinds.join(', ')}`,
      );
    }
    return this.put(owner, name, kind, generateSecret(kind, this.#random));
  }

  async reveal(owner: string, name: string): Promise<string> {
    const row = await this.#db
      .selectFrom('vault_secrets')
      .select(['data_key_id', 'ciphertext'])
      .where('owner', '=', owner)
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no secret ${owner}/${name} in the vault`, { owner, name });
    const key = await this.#dataKeys.unwrap(row.data_key_id);
    const plaintext = unseal(key, row.ciphertext, secretAad(owner, name, row.data_key_id));
    if (!plaintext) throw secretAltered(owner, name);
    return plaintext.toString('utf8');
  }

  async list(owner?: string): Promise<SecretMetadata[]> {
    let query = this.#db
      .selectFrom('vault_secrets')
      .select(['id', 'owner', 'name', 'kind', 'created_at', 'updated_at'])
      .orderBy('owner')
      .orderBy('name');
    if (owner !== undefined) query = query.where('owner', '=', owner);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      owner: row.owner,
      name: row.name,
      kind: row.kind,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
  }

  async remove(owner: string, name?: string): Promise<number> {
    let query = this.#db.deleteFrom('vault_secrets').where('owner', '=', owner);
    if (name !== undefined) query = query.where('name', '=', name);
    const removed = Number((await query.executeTakeFirst()).numDeletedRows);
    this.#logger.debug({ owner, name, removed }, 'secrets removed');
    return removed;
  }

  rotate(onProgress?: (done: number, total: number) => void): Promise<RotationResult> {
    const context = { db: this.#db, keyring: this.#keyring, clock: this.#clock, random: this.#random };
    return rotateMasterKey({ ...context, logger: this.#logger }, onProgress);
  }
}

function checkName(field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || /\p{Cc}/u.test(value)) {
    throw new RoostError('invalid_input', `a secret's ${field} must be 1 to 200 printable characters`);
  }
}
