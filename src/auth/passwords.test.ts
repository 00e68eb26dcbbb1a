import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  currentPasswordParams,
  dummyVerifyPassword,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.ts';

const low = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with a salt of its own and verifies', async (t) => {
    const started = performance.now();
    const first = await hashPassword('violet-harbour-tangent-42');
    const elapsed = performance.now() - started;
    t.diagnostic(`one hash with N=2^15, r=8, p=1: ${elapsed.toFixed(0)} ms`);
    const second = await hashPassword('violet-harbour-tangent-42');
    assert.match(first, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(first, second, 'a random salt per hash');
    assert.equal(await verifyPassword('violet-harbour-tangent-42', first), true);
    assert.equal(await verifyPassword('violet-harbour-tangent-43', first), false);
    assert.equal(await verifyPassword('violet-harbour-tangent-42', 'plain text'), false);
    assert.equal(
      await verifyPassword('x', 'scrypt$3$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=='),
      false,
      'N must be a power of two',
    );
  });

  it('asks for a rehash when the parameters are below the current ones', async () => {
    const weak = await hashPassword('violet-harbour-tangent-42', low);
    assert.equal(
      await verifyPassword('violet-harbour-tangent-42', weak),
      true,
      'old parameters still verify',
    );
    assert.equal(needsRehash(weak), true);
    assert.equal(needsRehash(await hashPassword('violet-harbour-tangent-42')), false);
    assert.equal(needsRehash('garbage'), true);
    assert.equal(needsRehash(weak, low), false);
    assert.deepEqual(currentPasswordParams, { N: 2 ** 15, r: 8, p: 1 });
  });

  it('spends about the same time on a dummy check as on a real one', async () => {
    const stored = await hashPassword('violet-harbour-tangent-42');
    await dummyVerifyPassword('warm-up'); // the dummy hash is made once
    // Median of three runs each, so one scheduling hiccup does not decide.
    const time = async (run: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[1] ?? 0;
    };
    const real = await time(() => verifyPassword('wrong-password-123', stored));
    const dummy = await time(() => dummyVerifyPassword('wrong-password-123'));
    assert.equal(await dummyVerifyPassword('violet-harbour-tangent-42'), false);
    // Same scrypt parameters: the two must be within a factor of 3 of each other even on a busy machine.
    assert.ok(
      dummy > real / 3 && dummy < real * 3,
      `real ${real.toFixed(0)} ms, dummy ${dummy.toFixed(0)} ms`,
    );
  });
});
