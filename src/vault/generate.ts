import { RoostError } from '../core/errors.ts';
import { cryptoRandom, type RandomSource } from './random.ts';

export const secretKinds = ['database-password', 'cache-password', 'jwt-signing-key', 'api-token'] as const;
export type SecretKind = (typeof secretKinds)[number];

/** Entropy of each kind's generated value, in bits. */
export const secretEntropyBits: Record<SecretKind, number> = {
  'database-password': 256,
  'cache-password': 256,
  'jwt-signing-key': 512,
  'api-token': 256,
};

export const apiTokenPrefix = 'rst_';

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Bytes at or above the largest multiple of 62 are dropped, so every character is equally likely.
const base62Limit = 256 - (256 % base62.length);

export function isSecretKind(value: string): value is SecretKind {
  return (secretKinds as readonly string[]).includes(value);
}

/** A new random value for `kind`; alphanumeric passwords are safe in URLs and config files. */
export function generateSecret(kind: SecretKind, random: RandomSource = cryptoRandom): string {
  const bits = secretEntropyBits[kind];
  switch (kind) {
    case 'database-password':
    case 'cache-password':
      return randomBase62(Math.ceil(bits / Math.log2(base62.length)), random);
    case 'jwt-signing-key':
      return random(bits / 8).toString('base64url');
    case 'api-token':
      return `${apiTokenPrefix}${random(bits / 8).toString('base64url')}`;
    default:
      throw new RoostError(
        'invalid_input',
        `unknown secret kind ${String(kind)}; expected ${secretKinds.join(', ')}`,
      );
  }
}

function randomBase62(length: number, random: RandomSource): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length - out.length + 8)) {
      if (byte < base62Limit) out += base62[byte % base62.length];
      if (out.length === length) break;
    }
  }
  return out;
}
