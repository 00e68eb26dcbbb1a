import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { z } from 'zod';
import { isRoostError } from '../core/errors.ts';
import type { Vault } from '../vault/index.ts';

/** The installation's Ed25519 signing key lives in the vault under this owner and name. */
export const signingKeyOwner = 'roost';
export const signingKeyName = 'erasure-signing-key';

const itemsSchema = z.object({ what: z.string(), items: z.array(z.string()) });
const retainedSchema = z.object({ what: z.string(), policy: z.string() });

/** What a certificate holds; `signature` covers the canonical JSON of every other field. */
export const erasureCertificateSchema = z.object({
  version: z.literal(1),
  kind: z.literal('roost-erasure-certificate'),
  instance: z.object({ id: z.string(), slug: z.string(), customer: z.string(), environment: z.string() }),
  requestedBy: z.object({ id: z.string(), label: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  erased: z.array(itemsSchema),
  retained: z.array(retainedSchema),
  /** SPKI PEM, so anyone can check the signature without Roost's database. */
  publicKey: z.string(),
  /** Ed25519 signature, base64. */
  signature: z.string(),
});

export type ErasureCertificate = z.infer<typeof erasureCertificateSchema>;
export type UnsignedCertificate = Omit<ErasureCertificate, 'publicKey' | 'signature'>;

export type CertificateVerdict =
  | { valid: true; slug: string; signedAt: string; keyId: string }
  | { valid: false; reason: string };

/** JSON with object keys sorted at every depth: the bytes the signature covers. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `ed25519:` and the first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
export function keyIdOf(publicKey: string | KeyObject): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function publicKeyPemOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
}

export function signCertificate(body: UnsignedCertificate, privateKey: KeyObject): ErasureCertificate {
  const signed = { ...body, publicKey: publicKeyPemOf(privateKey) };
  const signature = sign(null, Buffer.from(canonicalJson(signed)), privateKey).toString('base64');
  return { ...signed, signature };
}

/**
 * Checks a certificate with the public key it carries; with `trustedPublicKey` (the installation's), also
 * that this key signed it, since anyone can sign a well-formed certificate with a key of their own.
 */
export function verifyCertificate(
  input: unknown,
  trustedPublicKey?: string,
  trustedName = 'the trusted key',
): CertificateVerdict {
  const parsed = erasureCertificateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      valid: false,
      reason: `not an erasure certificate: ${issue?.path.join('.')}: ${issue?.message}`,
    };
  }
  // Verify the bytes that arrived (unknown fields included), not the parsed copy: an added field is a change.
  const { signature, ...signed } = input as Record<string, unknown>;
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(parsed.data.publicKey);
  } catch {
    return { valid: false, reason: 'the public key is not a readable PEM key' };
  }
  if (publicKey.asymmetricKeyType !== 'ed25519')
    return { valid: false, reason: 'the public key is not an Ed25519 key' };
  const matches = verify(
    null,
    Buffer.from(canonicalJson(signed)),
    publicKey,
    Buffer.from(String(signature), 'base64'),
  );
  if (!matches) return { valid: false, reason: 'signature does not match: the certificate was changed' };
  const keyId = keyIdOf(publicKey);
  if (trustedPublicKey !== undefined) {
    let trustedId: string;
    try {
      trustedId = keyIdOf(trustedPublicKey);
    } catch {
      return { valid: false, reason: 'the trusted public key is not a readable PEM key' };
    }
    if (trustedId !== keyId)
      return { valid: false, reason: `signed by ${keyId}, which is not ${trustedName} (${trustedId})` };
  }
  return { valid: true, slug: parsed.data.instance.slug, signedAt: parsed.data.finishedAt, keyId };
}

/** The installation's signing key, created on first use. */
export async function installationSigningKey(vault: Vault): Promise<KeyObject> {
  const existing = await readSigningKey(vault);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await vault.put(signingKeyOwner, signingKeyName, 'ed25519-private-key', pem);
  // Two first uses racing both write; read back so each signs with the key that stays.
  return (await readSigningKey(vault)) ?? privateKey;
}

/** The installation's public key (PEM), or undefined when nothing was ever signed here. */
export async function installationPublicKey(vault: Vault): Promise<string | undefined> {
  const key = await readSigningKey(vault);
  return key ? publicKeyPemOf(key) : undefined;
}

async function readSigningKey(vault: Vault): Promise<KeyObject | undefined> {
  try {
    return createPrivateKey(await vault.reveal(signingKeyOwner, signingKeyName));
  } catch (error) {
    if (isRoostError(error, 'not_found')) return undefined;
    throw error;
  }
}
