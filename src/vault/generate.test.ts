import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRoostError } from '../core/errors.ts';
import {
  apiTokenPrefix,
  generateSecret,
  type SecretKind,
  secretEntropyBits,
  secretKinds,
} from './generate.ts';

/** The alphabet and length each kind must have, and the entropy that implies. */
const shapes: Record<SecretKind, { pattern: RegExp; alphabet: number }> = {
  'database-password': { pattern: /^[A-Za-z0-9]{43}$/, alphabet: 62 },
  'cache-password': { pattern: /^[A-Za-z0-9]{43}$/, alphabet: 62 },
  'jwt-signing-key': { pattern: /^[A-Za-z0-9_-]{86}$/, alphabet: 64 },
  'api-token': { pattern: /^rst_[A-Za-z0-9_-]{43}$/, alphabet: 64 },
};

describe('generateSecret', () => {
  for (const kind of secretKinds) {
    it(`${kind}: unique values of at least ${secretEntropyBits[kind]} bits`, () => {
      const values = Array.from({ length: 500 }, () => generateSecret(kind));
      assert.equal(new Set(values).size, values.length);
      const { pattern, alphabet } = shapes[kind];
      for (const value of values) assert.match(value, pattern);
      const body = (values[0] ?? '').replace(apiTokenPrefix, '');
      assert.ok(body.length * Math.log2(alphabet) >= Math.max(256, secretEntropyBits[kind]));
    });
  }

  it('draws base62 characters without bias: bytes past the last multiple of 62 are dropped', () => {
    // 248..255 would map to 0..7 a fifth more often than the rest; they must be skipped.
    const feed = [248, 255, 0, 61, 62, 247];
    let calls = 0;
    const random = (size: number) => {
      calls++;
      return Buffer.from(Array.from({ length: size }, (_, index) => feed[index % feed.length] ?? 0));
    };
    const value = generateSecret('database-password', random);
    assert.equal(value.length, 43);
    assert.equal(value.slice(0, 4), '0z0z', '248 and 255 skipped; 0→0, 61→z, 62→0, 247→z');
    assert.ok(calls >= 1);
  });

  it('refuses an unknown kind', () => {
    assert.throws(
      () => generateSecret('ssh-key' as SecretKind),
      (error) => isRoostError(error, 'invalid_input'),
    );
  });
});
