import assert from 'node:assert/strict';
import { it } from 'node:test';
import { anonymousActor } from '../../auth/actor.ts';
import { cachedTokenResolver } from './token-cache.ts';

it('keeps a resolved token for its time to live, forgets on writes, and never caches a miss', async () => {
  let now = 0;
  let calls = 0;
  let valid = true;
  const actor = { ...anonymousActor(null), kind: 'token' as const, id: 'usr_1', label: 'ada' };
  const cache = cachedTokenResolver(
    async () => {
      calls++;
      return valid ? actor : undefined;
    },
    { ttlMs: 5_000, maxEntries: 2, now: () => now },
  );
  assert.equal(
    (await cache.resolveToken('rst_a', '10.0.0.1'))?.ip,
    null,
    'the first answer comes from the resolver',
  );
  assert.equal(
    (await cache.resolveToken('rst_a', '10.0.0.2'))?.ip,
    '10.0.0.2',
    'a cached actor carries the caller of this request',
  );
  assert.equal(calls, 1);
  assert.equal(
    await cache.resolveToken('rst_a', '10.0.0.2'),
    await cache.resolveToken('rst_a', '10.0.0.2'),
    'the same caller gets the same actor, not a copy per request',
  );
  assert.equal(
    (await cache.resolveToken('rst_a', '10.0.0.3'))?.ip,
    '10.0.0.3',
    'another caller gets its own',
  );
  assert.equal(calls, 1);
  valid = false;
  now = 5_001;
  assert.equal(await cache.resolveToken('rst_a', null), undefined, 'asked again after the time to live');
  assert.equal(await cache.resolveToken('rst_a', null), undefined);
  assert.equal(calls, 3, 'a miss is not cached');
  valid = true;
  await cache.resolveToken('rst_a', null);
  cache.forget();
  valid = false;
  assert.equal(await cache.resolveToken('rst_a', null), undefined, 'forget drops everything');
});
