import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  canonicalJson,
  keyIdOf,
  publicKeyPemOf,
  signCertificate,
  type UnsignedCertificate,
  verifyCertificate,
} from './certificate.ts';

const body: UnsignedCertificate = {
  version: 1,
  kind: 'roost-erasure-certificate',
  instance: { id: 'ins_1', slug: 'acme', customer: 'Acme', environment: 'staging' },
  requestedBy: { id: 'local', label: 'local administrator' },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:05.000Z',
  erased: [
    { what: 'runtime', items: ['db: stopped postgres'] },
    { what: 'vault-secrets', items: ['db-password'] },
  ],
  retained: [{ what: 'audit trail', policy: 'kept (append-only)' }],
};

describe('erasure certificates', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519').privateKey;

  it('canonical JSON sorts keys at every depth', () => {
    assert.equal(canonicalJson({ b: [{ d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[{"c":2,"d":1}]}');
  });

  it('verifies as signed, also after a round trip through pretty-printed JSON', () => {
    const certificate = signCertificate(body, privateKey);
    const copy = JSON.parse(JSON.stringify(certificate, null, 2)) as unknown;
    assert.deepEqual(verifyCertificate(copy), {
      valid: true,
      slug: 'acme',
      signedAt: body.finishedAt,
      keyId: keyIdOf(publicKeyPemOf(privateKey)),
    });
    assert.equal(verifyCertificate(copy, publicKeyPemOf(privateKey)).valid, true);
  });

  it('refuses a certificate changed by one character, or with a field added', () => {
    const text = JSON.stringify(signCertificate(body, privateKey));
    for (const changed of [
      text.replace('stopped postgres', 'stopped postgreS'),
      text.replace('"acme"', '"acma"'),
      text.replace('"version":1', '"version":1,"note":"x"'),
    ]) {
      assert.notEqual(changed, text);
      assert.deepEqual(verifyCertificate(JSON.parse(changed)), {
        valid: false,
        reason: 'signature does not match: the certificate was changed',
      });
    }
  });

  it('refuses a certificate signed by a key other than the trusted one', () => {
    const forged = signCertificate(body, other);
    assert.equal(verifyCertificate(forged).valid, true, 'well-formed on its own');
    const verdict = verifyCertificate(forged, publicKeyPemOf(privateKey), "this installation's key");
    assert.equal(verdict.valid, false);
    assert.match(verdict.valid ? '' : verdict.reason, /not this installation's key/);
  });

  it('refuses what is not a certificate, with the reason', () => {
    const verdict = verifyCertificate({ kind: 'something else' });
    assert.equal(verdict.valid, false);
    assert.match(verdict.valid ? '' : verdict.reason, /not an erasure certificate/);
    const swapped = { ...signCertificate(body, privateKey), publicKey: 'not a key' };
    assert.deepEqual(verifyCertificate(swapped), {
      valid: false,
      reason: 'the public key is not a readable PEM key',
    });
  });
});
