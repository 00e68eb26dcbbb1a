import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { RandomSource } from './random.ts';

const nonceLength = 12;
const tagLength = 16;

/** AES-256-GCM; returns base64 of nonce ‖ ciphertext ‖ tag. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer, random: RandomSource): string {
  const nonce = random(nonceLength);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagLength });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/** The plaintext, or undefined when the sealed value is malformed or fails authentication. */
export function unseal(key: Buffer, sealed: string, aad: Buffer): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < nonceLength + tagLength) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, nonceLength), {
    authTagLength: tagLength,
  });
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(bytes.length - tagLength));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(nonceLength, bytes.length - tagLength)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

// JSON arrays keep the encoding unambiguous: no owner/name pair can imitate another.
export function secretAad(owner: string, name: string, dataKeyId: string): Buffer {
  return Buffer.from(JSON.stringify(['roost secret v1', owner, name, dataKeyId]));
}

export function dataKeyAad(dataKeyId: string): Buffer {
  return Buffer.from(JSON.stringify(['roost data key v1', dataKeyId]));
}
