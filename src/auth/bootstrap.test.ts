import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { consumeBootstrapToken, ensureBootstrapToken } from './bootstrap.ts';
import { login } from './login.ts';
import { dumpDatabase, roostError, setUp, strongPassword } from './test-fixture.ts';

describeEachDialect('bootstrap token', (use) => {
  it('is handed out once, stored hashed, and creates the first admin once', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const issued = await ensureBootstrapToken(deps);
    assert.ok(issued);
    assert.match(issued.token, /^rbt_[A-Za-z0-9_-]{43}$/);
    assert.equal(issued.expiresAt.toISOString(), '2026-03-03T09:00:00.000Z');
    assert.equal(await ensureBootstrapToken(deps), undefined, 'already printed: not again');
    assert.ok(!(await dumpDatabase(deps.store)).includes(issued.token), 'only its hash is stored');

    const first = {
      email: 'Founder@example.com',
      name: 'Founder',
      password: strongPassword,
      ip: '192.0.2.1',
    };
    await assert.rejects(
      consumeBootstrapToken(deps, { ...first, token: 'rbt_wrong' }),
      roostError('unauthenticated', /wrong, used or expired/),
    );
    await assert.rejects(
      consumeBootstrapToken(deps, { ...first, token: issued.token, password: 'short' }),
      roostError('invalid_input'),
    );
    const admin = await consumeBootstrapToken(deps, { ...first, token: issued.token });
    assert.equal(admin.role, 'admin');
    assert.equal(admin.email, 'founder@example.com');
    const session = await login(deps, { email: first.email, password: first.password, ip: null });
    assert.equal(session.next, 'enrol', 'the first admin must set up a second factor');

    await assert.rejects(
      consumeBootstrapToken(deps, { ...first, email: 'second@example.com', token: issued.token }),
      roostError('conflict', /already has users/),
    );
    assert.equal(await ensureBootstrapToken(deps), undefined, 'never once users exist');
    assert.equal(await ensureBootstrapToken(deps, { rotate: true }), undefined);
    clock.advance(48 * 3_600_000);
    assert.equal(await ensureBootstrapToken(deps), undefined);
    const actions = (await deps.audit.list()).map((event) => `${event.action}:${event.result}`);
    assert.deepEqual(actions.slice(0, 4).reverse(), [
      'bootstrap.consume:failed',
      'user.create:ok',
      'session.login:ok',
      'bootstrap.consume:failed',
    ]);
    assert.ok(!(await dumpDatabase(deps.store)).includes(strongPassword));
  });

  it('expires after 24 hours; a rotation replaces the live token', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const input = { email: 'founder@example.com', name: 'Founder', password: strongPassword, ip: null };
    const first = await ensureBootstrapToken(deps);
    assert.ok(first);
    const rotated = await ensureBootstrapToken(deps, { rotate: true });
    assert.ok(rotated);
    assert.notEqual(rotated.token, first.token);
    await assert.rejects(
      consumeBootstrapToken(deps, { ...input, token: first.token }),
      roostError('unauthenticated'),
    );

    clock.advance(24 * 3_600_000);
    await assert.rejects(
      consumeBootstrapToken(deps, { ...input, token: rotated.token }),
      roostError('unauthenticated', /expired/),
    );
    const fresh = await ensureBootstrapToken(deps);
    assert.ok(fresh, 'an expired token is replaced at the next start');
    assert.equal((await consumeBootstrapToken(deps, { ...input, token: fresh.token })).role, 'admin');
  });
});
