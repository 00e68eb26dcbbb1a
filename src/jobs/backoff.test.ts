import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './backoff.ts';

const policy = { baseMs: 1_000, maxMs: 60_000 };

test('backoff doubles per attempt, jitters the upper half and stops at the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 1)),
    [1_000, 2_000, 4_000, 8_000],
  );
  assert.deepEqual(
    [1, 2, 3].map((attempt) => retryDelayMs(attempt, policy, () => 0)),
    [500, 1_000, 2_000],
  );
  assert.equal(
    retryDelayMs(30, policy, () => 1),
    60_000,
  );
  assert.equal(
    retryDelayMs(2_000, policy, () => 0.5),
    45_000,
  );
  for (let i = 0; i < 100; i++) {
    const delay = retryDelayMs(3, policy);
    assert.ok(delay >= 2_000 && delay <= 4_000, `${delay} within [2000, 4000]`);
  }
});
