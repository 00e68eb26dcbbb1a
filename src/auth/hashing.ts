import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 in hex: enough for values with 60+ bits of randomness (tokens, recovery codes), never for passwords. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A random 256-bit value in base64url, for cookies and one-time tokens. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Compares two strings in constant time: both are hashed first, so neither contents nor lengths leak. */
export function equalInConstantTime(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}
