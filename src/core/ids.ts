import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

function encodeTime(milliseconds: number): string {
  let out = '';
  let value = milliseconds;
  for (let i = 0; i < 10; i++) {
    out = alphabet[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) out += alphabet[byte % 32];
  return out;
}

/**
 * A prefixed, time-sortable identifier (`ins_01h…`): 10 characters of milliseconds then 16 random
 * characters (80 bits), so identifiers sort by creation time and never reveal a sequence number.
 */
export function newId(prefix: string, now: Date = new Date()): string {
  return `${prefix}_${encodeTime(now.getTime())}${encodeRandom(randomBytes(16))}`;
}
