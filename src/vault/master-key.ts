import { createHmac } from 'node:crypto';
import { RoostError } from '../core/errors.ts';

/** A 32-byte key that wraps data keys, known by an id that does not reveal it. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export const masterKeyLength = 32;

export function masterKeyId(key: Buffer): string {
  return `mk_${createHmac('sha256', key).update('roost master key id').digest().subarray(0, 8).toString('hex')}`;
}

export function toMasterKey(key: Buffer): MasterKey {
  return { id: masterKeyId(key), key };
}

/** Decodes a base64 key; `origin` names where it came from, never the value. */
export function parseMasterKey(base64: string, origin: string): MasterKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== masterKeyLength) {
    throw new RoostError(
      'invalid_config',
      `${origin} is not a master key: expected ${masterKeyLength} bytes encoded in base64 (openssl rand -base64 32)`,
    );
  }
  return toMasterKey(key);
}
