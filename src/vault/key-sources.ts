import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';
import { createKeyFile, keyFileExposure, readKeyFile, writeKeyFile } from './key-file.ts';
import { type MasterKey, masterKeyLength, parseMasterKey, toMasterKey } from './master-key.ts';
import {
  deriveMasterKey,
  type KdfRecord,
  kdfMetaName,
  newKdfRecord,
  readKdfRecords,
  type ScryptParams,
  writeKdfRecords,
} from './passphrase.ts';
import type { RandomSource } from './random.ts';

export type KeySourceKind = 'environment' | 'passphrase' | 'key-file';

/** Where the master keys live; the vault re-reads it when it meets a key another process introduced. */
export interface KeySource {
  readonly kind: KeySourceKind;
  readonly keyFile: string | undefined;
  /** Where the current key comes from, for messages (never the key itself). */
  readonly origin: string;
  /** The keys, current first; undefined when the source holds none yet (no key file, no salt). */
  load(): Promise<MasterKey[] | undefined>;
  /** The first key of an empty vault; `db` is the transaction that creates the vault. */
  create(db: Kysely<Database>): Promise<MasterKey[]>;
  /** Puts a new current key in front of the others; absent where the operator supplies keys. */
  addKey?(): Promise<MasterKey[]>;
  /** Forgets every key but the current one, once nothing is wrapped by them. */
  dropPreviousKeys?(current: MasterKey): Promise<void>;
}

export interface KeySourceOptions {
  masterKey?: string | undefined;
  previousMasterKeys?: readonly string[] | undefined;
  masterPassphrase?: string | undefined;
  keyFile: string;
  source?: string | undefined;
  scrypt?: ScryptParams | undefined;
}

export interface KeySourceDeps {
  db: Kysely<Database>;
  random: RandomSource;
  logger: Logger;
  scrypt: ScryptParams;
}

export function createKeySource(options: KeySourceOptions, deps: KeySourceDeps): KeySource {
  const previous = options.previousMasterKeys ?? [];
  if (options.masterKey !== undefined && options.masterPassphrase !== undefined) {
    throw new RoostError(
      'invalid_config',
      'set either ROOST_MASTER_KEY or ROOST_MASTER_PASSPHRASE, not both',
    );
  }
  if (previous.length > 0 && options.masterKey === undefined) {
    throw new RoostError(
      'invalid_config',
      'ROOST_MASTER_KEY_PREVIOUS is set without ROOST_MASTER_KEY: previous keys serve only a rotation to a new ROOST_MASTER_KEY',
    );
  }
  if (options.masterKey !== undefined) return environmentSource(options.masterKey, previous, options.source);
  if (options.masterPassphrase !== undefined) {
    return passphraseSource(options.masterPassphrase, options.source ?? 'ROOST_MASTER_PASSPHRASE', deps);
  }
  return keyFileSource(options.keyFile, deps);
}

function environmentSource(masterKey: string, previous: readonly string[], source?: string): KeySource {
  const origin = source ?? 'ROOST_MASTER_KEY';
  const keys = [
    parseMasterKey(masterKey, origin),
    ...previous.map((key, index) => parseMasterKey(key, `entry ${index + 1} of ROOST_MASTER_KEY_PREVIOUS`)),
  ];
  return {
    kind: 'environment',
    keyFile: undefined,
    origin,
    load: async () => keys,
    create: async () => keys,
  };
}

function keyFileSource(file: string, { random, logger }: KeySourceDeps): KeySource {
  const load = async () => {
    const keys = await readKeyFile(file);
    if (keys && (await keyFileExposure(file)) !== 0) {
      logger.warn({ keyFile: file }, 'the master key file is readable by other users; chmod 600 it');
    }
    return keys;
  };
  return {
    kind: 'key-file',
    keyFile: file,
    origin: `the key file ${file}`,
    load,
    create: async () => {
      const keys = [toMasterKey(random(masterKeyLength))];
      if (await createKeyFile(file, keys)) {
        logger.info({ keyFile: file }, 'created the master key file');
        return keys;
      }
      // Another process created it first: share its key.
      const existing = await readKeyFile(file);
      if (!existing)
        throw new RoostError('internal', `the master key file ${file} vanished while it was created`);
      return existing;
    },
    addKey: async () => {
      const existing = await readKeyFile(file);
      if (!existing) throw new RoostError('invalid_config', `the master key file ${file} does not exist`);
      const keys = [toMasterKey(random(masterKeyLength)), ...existing];
      await writeKeyFile(file, keys);
      return keys;
    },
    dropPreviousKeys: (current) => writeKeyFile(file, [current]),
  };
}

function passphraseSource(passphrase: string, origin: string, deps: KeySourceDeps): KeySource {
  // scrypt is slow on purpose; a reload must not pay it again for a salt it already derived.
  const derived = new Map<string, MasterKey>();
  const derive = async (record: KdfRecord) => {
    const cacheKey = JSON.stringify(record);
    let key = derived.get(cacheKey);
    if (!key) {
      key = await deriveMasterKey(passphrase, record);
      derived.set(cacheKey, key);
    }
    return key;
  };
  const deriveAll = (records: KdfRecord[]) => Promise.all(records.map(derive));
  return {
    kind: 'passphrase',
    keyFile: undefined,
    origin,
    load: async () => {
      const records = await readKdfRecords(deps.db);
      return records && deriveAll(records);
    },
    create: async (db) => {
      const record = newKdfRecord(deps.scrypt, deps.random);
      // A plain insert: if another process created the vault meanwhile, the transaction fails.
      await db
        .insertInto('vault_meta')
        .values({ name: kdfMetaName, value: JSON.stringify([record]) })
        .execute();
      return deriveAll([record]);
    },
    addKey: async () => {
      const records = [newKdfRecord(deps.scrypt, deps.random), ...((await readKdfRecords(deps.db)) ?? [])];
      const keys = await deriveAll(records);
      await writeKdfRecords(deps.db, records);
      return keys;
    },
    dropPreviousKeys: async (current) => {
      const records = (await readKdfRecords(deps.db)) ?? [];
      for (const record of records) {
        if ((await derive(record)).id === current.id) return writeKdfRecords(deps.db, [record]);
      }
      throw new RoostError('internal', `no stored scrypt salt derives the current master key ${current.id}`);
    },
  };
}
