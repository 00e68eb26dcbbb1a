import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export interface PasswordHashParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** About 90–115 ms and 32 MiB per hash on the 2-core EPYC test machine (2026): slow for guessing, fine for login. */
export const currentPasswordParams: PasswordHashParams = { N: 2 ** 15, r: 8, p: 1 };

const saltBytes = 16;
const keyBytes = 32;

interface ParsedHash extends PasswordHashParams {
  salt: Buffer;
  hash: Buffer;
}

/** `scrypt$N$r$p$salt$hash` (salt and hash in base64): the parameters travel with the hash so they can be raised. */
export async function hashPassword(
  password: string,
  params: PasswordHashParams = currentPasswordParams,
): Promise<string> {
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, params, keyBytes);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or an unreadable hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was made with weaker parameters than today's (or cannot be read): rehash at the next login. */
export function needsRehash(stored: string, params: PasswordHashParams = currentPasswordParams): boolean {
  const parsed = parseHash(stored);
  return (
    !parsed ||
    parsed.N < params.N ||
    parsed.r < params.r ||
    parsed.p < params.p ||
    parsed.hash.length < keyBytes
  );
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, for logins naming nobody: response times must not tell who has an account. */
export async function dummyVerifyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  await verifyPassword(password, await dummyHash);
  return false;
}

function derive(password: string, salt: Buffer, params: PasswordHashParams, length: number): Promise<Buffer> {
  // Node refuses N·r above maxmem (32 MiB by default); leave room for raised parameters.
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return scryptAsync(password.normalize('NFKC'), salt, length, {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem,
  });
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const hash = Buffer.from(parts[5] ?? '', 'base64');
  const powerOfTwo = Number.isInteger(N) && N >= 2 && N <= 2 ** 22 && (N & (N - 1)) === 0;
  const sane =
    powerOfTwo && Number.isInteger(r) && r >= 1 && r <= 64 && Number.isInteger(p) && p >= 1 && p <= 16;
  if (!sane || salt.length < 8 || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}
