import { scrypt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import type { Database } from '../store/index.ts';
import { type MasterKey, masterKeyLength, toMasterKey } from './master-key.ts';
import type { RandomSource } from './random.ts';

export interface ScryptParams {
  /** N: CPU and memory cost, a power of two. */
  cost: number;
  blockSize: number;
  parallelization: number;
}

// OWASP's recommendation for scrypt (about 128 MiB and half a second per derivation).
export const defaultScryptParams: ScryptParams = { cost: 2 ** 17, blockSize: 8, parallelization: 1 };

const kdfRecord = z.object({
  algorithm: z.literal('scrypt'),
  salt: z.base64(),
  cost: z
    .number()
    .int()
    .min(2 ** 14)
    .refine((value) => Number.isInteger(Math.log2(value)), {
      message: 'expected a power of two',
    }),
  blockSize: z.number().int().min(1).max(64),
  parallelization: z.number().int().min(1).max(16),
});
export type KdfRecord = z.infer<typeof kdfRecord>;

/** Meta row holding the salts and parameters, current first; more than one only while a rotation runs. */
export const kdfMetaName = 'passphrase_kdf';

export function newKdfRecord(params: ScryptParams, random: RandomSource): KdfRecord {
  const record = { algorithm: 'scrypt' as const, salt: random(16).toString('base64'), ...params };
  const checked = kdfRecord.safeParse(record);
  if (!checked.success) {
    throw new RoostError(
      'invalid_config',
      `invalid scrypt parameters: ${checked.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
    );
  }
  return checked.data;
}

export function deriveMasterKey(passphrase: string, record: KdfRecord): Promise<MasterKey> {
  const { cost, blockSize, parallelization } = record;
  const maxmem = 256 * cost * blockSize * parallelization + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      Buffer.from(record.salt, 'base64'),
      masterKeyLength,
      { N: cost, r: blockSize, p: parallelization, maxmem },
      (error, key) => (error ? reject(error) : resolve(toMasterKey(key))),
    );
  });
}

export async function readKdfRecords(db: Kysely<Database>): Promise<KdfRecord[] | undefined> {
  const row = await db
    .selectFrom('vault_meta')
    .select('value')
    .where('name', '=', kdfMetaName)
    .executeTakeFirst();
  if (!row) return undefined;
  const parsed = z.array(kdfRecord).min(1).safeParse(JSON.parse(row.value));
  if (!parsed.success) {
    throw new RoostError(
      'invalid_config',
      `vault_meta ${kdfMetaName} is not a valid list of scrypt parameters`,
    );
  }
  return parsed.data;
}

export async function writeKdfRecords(db: Kysely<Database>, records: KdfRecord[]): Promise<void> {
  const value = JSON.stringify(records);
  await db
    .insertInto('vault_meta')
    .values({ name: kdfMetaName, value })
    .onConflict((conflict) => conflict.column('name').doUpdateSet({ value }))
    .execute();
}
