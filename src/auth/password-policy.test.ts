import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoostError } from '../core/errors.ts';
import { checkPasswordPolicy } from './password-policy.ts';

function refusal(password: string, email?: string): string | undefined {
  try {
    checkPasswordPolicy(password, email === undefined ? {} : { email });
    return undefined;
  } catch (error) {
    assert.ok(error instanceof RoostError);
    assert.equal(error.code, 'invalid_input');
    assert.ok(!error.message.includes(password), 'the message never repeats the password');
    return String(error.details?.reason);
  }
}

describe('password policy', () => {
  it('refuses passwords shorter than 12 characters', () => {
    assert.equal(refusal('Tr0ub4dor&3'), 'too_short');
    assert.equal(refusal('ünïcödé-pw1'), 'too_short', 'counts characters, not bytes');
    assert.equal(refusal('x'.repeat(1_025)), 'too_long');
  });

  it('refuses common passwords and their usual variations', () => {
    for (const password of [
      'password1234',
      'Password123!',
      'P@ssw0rd2024!',
      'Summer2024!!',
      '2024summer!!',
      'qwertyuiop123',
      '123456789012',
      'qwertyuiopas',
      'abcdefghijkl',
      '1qaz2wsx3edc',
      'aaaaaaaaaaaa',
      'abcabcabcabc',
      'monkeymonkey',
      'iloveyou1234',
      'letmein12345',
      'Correcthorsebatterystaple',
      'administrator',
    ]) {
      assert.equal(refusal(password), 'common', password);
    }
  });

  it('refuses a password containing the email name', () => {
    assert.equal(refusal('alice.martin-2026-xyz', 'Alice.Martin@example.com'), 'contains_email');
    assert.equal(refusal('violet-harbour-tangent-42', 'alice.martin@example.com'), undefined);
    assert.equal(refusal('ab-violet-harbour-42', 'ab@example.com'), undefined, 'too short a name to judge');
  });

  it('accepts long, unusual passwords and passphrases', () => {
    for (const password of [
      'violet-harbour-tangent-42',
      'correct horse staple lamp',
      'hV9$kq2!Lm0x',
      'dragonfly-orbit-1987',
    ]) {
      assert.equal(refusal(password), undefined, password);
    }
  });
});
