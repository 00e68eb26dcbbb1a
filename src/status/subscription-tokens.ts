import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';

const keyOwner = 'roost';
const keyName = 'status-subscription-hmac';

export type TokenPurpose = 'confirm' | 'unsubscribe';

/** The HMAC key of subscription links, in the vault; created on first use. */
export async function subscriptionKey(vault: Vault): Promise<Buffer> {
  const read = async () => {
    try {
      return Buffer.from(await vault.reveal(keyOwner, keyName), 'base64url');
    } catch (error) {
      if (isRoostError(error, 'not_found')) return undefined;
      throw error;
    }
  };
  const existing = await read();
  if (existing) return existing;
  await vault.put(keyOwner, keyName, 'hmac-key', randomBytes(32).toString('base64url'));
  // Two first uses racing both write; read back so both sign with the key that stays.
  return (await read()) as Buffer;
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/** `<subscriber>.<purpose>.<expiry ms>.<hmac>`: says what it allows and until when, and cannot be forged. */
export function signToken(
  key: Buffer,
  subscriberId: string,
  purpose: TokenPurpose,
  expiresAt: number,
): string {
  const payload = `${subscriberId}.${purpose}.${expiresAt}`;
  return `${payload}.${mac(key, payload)}`;
}

/** The subscriber a token is for, or undefined when it is forged, for another purpose, or expired. */
export function verifyToken(
  key: Buffer,
  token: string,
  purpose: TokenPurpose,
  now: number,
): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [subscriberId = '', tokenPurpose, expiry = '', signature = ''] = parts;
  const expected = Buffer.from(mac(key, `${subscriberId}.${tokenPurpose}.${expiry}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (tokenPurpose !== purpose || !/^\d+$/.test(expiry) || Number(expiry) < now) return undefined;
  return subscriberId;
}
