import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../core/ids.ts';
import type { Database } from '../store/index.ts';
import { sha256 } from './hashing.ts';

export const recoveryCodeCount = 10;
// 32 symbols (no i, l, o, u) × 12 characters = 60 bits per code: SHA-256 without a salt is enough.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const codeLength = 12;

/** Ten fresh codes such as `7f3k-q9xm-2bnd`, shown to the user once. */
export function generateRecoveryCodes(count = recoveryCodeCount): string[] {
  return Array.from({ length: count }, () => {
    const characters = [...randomBytes(codeLength)].map((byte) => alphabet[byte % alphabet.length]).join('');
    return `${characters.slice(0, 4)}-${characters.slice(4, 8)}-${characters.slice(8)}`;
  });
}

/** The code as stored (hashed): lower case, no dashes or spaces, the look-alikes i/l → 1 and o → 0; undefined if not a code. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  return code.length === codeLength && [...code].every((character) => alphabet.includes(character))
    ? code
    : undefined;
}

/** Replaces every recovery code of a user, inside the caller's transaction. */
export async function replaceRecoveryCodes(
  db: Kysely<Database>,
  userId: string,
  codes: string[],
  now: Date,
): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (codes.length === 0) return;
  await db
    .insertInto('recovery_codes')
    .values(
      codes.map((code) => ({
        id: newId('rec', now),
        user_id: userId,
        code_hash: sha256(normalizeRecoveryCode(code) ?? code),
        used_at: null,
        created_at: now.getTime(),
      })),
    )
    .execute();
}

/** Marks an unused code of the user as used; returns how many remain, or undefined when the code is wrong or used. */
export async function useRecoveryCode(
  db: Kysely<Database>,
  userId: string,
  input: string,
  now: Date,
): Promise<number | undefined> {
  const code = normalizeRecoveryCode(input);
  if (!code) return undefined;
  // Conditional on `used_at is null`, so a code raced twice is accepted once.
  const used = await db
    .updateTable('recovery_codes')
    .set({ used_at: now.getTime() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', sha256(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) === 0) return undefined;
  return countRecoveryCodes(db, userId);
}

export async function countRecoveryCodes(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
