import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { login } from './login.ts';
import { resolveSession } from './sessions.ts';
import { roostError, setUp, strongPassword } from './test-fixture.ts';
import { createToken, resolveToken } from './tokens.ts';
import { createUser, disableUser, enableUser, getUser, listUsers, setPassword } from './users.ts';

describeEachDialect('users', (use) => {
  it('creates, lists and reads users; emails are unique whatever their case', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, local } = access;
    const created = await createUser(deps, local, {
      email: ' Alice@Example.COM ',
      name: 'Alice',
      role: 'operator',
      password: strongPassword,
    });
    assert.match(created.id, /^usr_/);
    assert.equal(created.email, 'alice@example.com');
    assert.equal(created.role, 'operator');
    assert.equal(created.totpEnabledAt, null);
    assert.equal(Object.hasOwn(created, 'passwordHash') || Object.hasOwn(created, 'password_hash'), false);
    await assert.rejects(
      createUser(deps, local, {
        email: 'ALICE@example.com',
        name: 'Other',
        role: 'viewer',
        password: strongPassword,
      }),
      roostError('conflict', /alice@example\.com already exists/),
    );
    await assert.rejects(
      createUser(deps, local, { email: 'not-an-email', name: 'X', role: 'viewer', password: strongPassword }),
      roostError('invalid_input', /email/),
    );
    await assert.rejects(
      createUser(deps, local, {
        email: 'bob@example.com',
        name: 'Bob',
        role: 'viewer',
        password: 'password1234',
      }),
      roostError('invalid_input', /attackers try/),
    );
    await assert.rejects(
      createUser(deps, local, {
        email: 'bob@example.com',
        name: 'Bob',
        role: 'root' as 'viewer',
        password: strongPassword,
      }),
      roostError('invalid_input', /role/),
    );
    await createUser(deps, local, {
      email: 'bob@example.com',
      name: 'Bob',
      role: 'viewer',
      password: strongPassword,
    });
    assert.deepEqual(
      (await listUsers(deps, local)).map((user) => user.email),
      ['alice@example.com', 'bob@example.com'],
    );
    assert.equal((await getUser(deps, local, created.id)).name, 'Alice');
    await assert.rejects(getUser(deps, local, 'usr_missing'), roostError('not_found'));

    const events = await deps.audit.list({ action: 'user.create' });
    assert.equal(events.length, 2);
    assert.deepEqual(events[1]?.details, { email: 'alice@example.com', role: 'operator' });
    assert.ok(!JSON.stringify(events).includes(strongPassword));
  });

  it('lets only users:write create users: a viewer cannot, and reads only their own record', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const viewer = await access.loginAs(await access.addUser('viewer'));
    const other = await access.addUser('viewer');
    await assert.rejects(
      createUser(deps, viewer.actor, {
        email: 'eve@example.com',
        name: 'Eve',
        role: 'admin',
        password: strongPassword,
      }),
      roostError('forbidden', /needs users:write/),
    );
    await assert.rejects(listUsers(deps, viewer.actor), roostError('forbidden', /users:read/));
    assert.equal((await getUser(deps, viewer.actor, viewer.actor.id)).id, viewer.actor.id);
    await assert.rejects(getUser(deps, viewer.actor, other.id), roostError('forbidden'));
    // An operator reads users but does not manage them.
    const operator = await access.loginAs(await access.addUser('operator'));
    assert.equal((await listUsers(deps, operator.actor)).length, 3);
    await assert.rejects(disableUser(deps, operator.actor, { userId: other.id }), roostError('forbidden'));
  });

  it('disabling a user ends their sessions and tokens; the last enabled admin cannot be disabled', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, local } = access;
    const firstAdmin = await access.addUser('admin');
    const operator = await access.addUser('operator');
    const session = await access.loginAs(operator);
    const { token } = await createToken(deps, session.actor, { name: 'ci', scopes: ['instances:read'] });
    assert.ok(await resolveToken(deps, token, null));

    const disabled = await disableUser(deps, local, { userId: operator.id });
    assert.ok(disabled.disabledAt);
    assert.equal(await resolveSession(deps, session.sessionToken, null), undefined);
    assert.equal(await resolveToken(deps, token, null), undefined);
    await assert.rejects(
      login(deps, { email: operator.email, password: operator.password, ip: '192.0.2.1' }),
      roostError('unauthenticated', /wrong email or password/),
    );
    const [event] = await deps.audit.list({ action: 'user.disable' });
    assert.deepEqual(event?.details, { email: operator.email, sessionsRevoked: 1, tokensRevoked: 1 });
    assert.equal(
      (await disableUser(deps, local, { userId: operator.id })).id,
      operator.id,
      'disabling twice is harmless',
    );

    await assert.rejects(
      disableUser(deps, local, { userId: firstAdmin.id }),
      roostError('conflict', /last enabled admin/),
    );
    const secondAdmin = await access.addUser('admin');
    await disableUser(deps, local, { userId: firstAdmin.id });
    await assert.rejects(
      disableUser(deps, local, { userId: secondAdmin.id }),
      roostError('conflict', /last enabled admin/),
    );
    await enableUser(deps, local, { userId: firstAdmin.id });
    await disableUser(deps, local, { userId: secondAdmin.id });
    await assert.rejects(disableUser(deps, local, { userId: 'usr_nobody' }), roostError('not_found'));

    const enabled = await enableUser(deps, local, { userId: operator.id });
    assert.equal(enabled.disabledAt, null);
    assert.equal(
      await resolveSession(deps, session.sessionToken, null),
      undefined,
      'old sessions stay revoked',
    );
  });

  it('sets passwords: one’s own with the current one, anyone’s with users:write; other sessions end', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, local } = access;
    const user = await access.addUser('viewer');
    const here = await access.loginAs(user);
    const elsewhere = await access.loginAs(user, { ip: '198.51.100.7' });
    const next = 'amber-quiver-lantern-88';
    await assert.rejects(
      setPassword(deps, here.actor, { userId: user.id, password: next }),
      roostError('forbidden', /current password/),
    );
    await assert.rejects(
      setPassword(deps, here.actor, {
        userId: user.id,
        password: next,
        currentPassword: 'wrong-current-password',
      }),
      roostError('forbidden', /current password/),
    );
    await assert.rejects(
      setPassword(deps, here.actor, { userId: user.id, password: 'short', currentPassword: user.password }),
      roostError('invalid_input', /at least 12/),
    );
    await setPassword(deps, here.actor, { userId: user.id, password: next, currentPassword: user.password });
    assert.ok(await resolveSession(deps, here.sessionToken, null), 'the session that changed it stays');
    assert.equal(await resolveSession(deps, elsewhere.sessionToken, null), undefined, 'the others end');
    await assert.rejects(
      login(deps, { email: user.email, password: user.password, ip: null }),
      roostError('unauthenticated'),
    );
    await login(deps, { email: user.email, password: next, ip: null });

    const other = await access.addUser('viewer');
    await assert.rejects(
      setPassword(deps, here.actor, { userId: other.id, password: next }),
      roostError('forbidden', /users:write/),
    );
    await setPassword(deps, local, { userId: other.id, password: 'cobalt-meadow-signal-19' });
    await login(deps, { email: other.email, password: 'cobalt-meadow-signal-19', ip: null });
    const events = await deps.audit.list({ action: 'user.password' });
    assert.deepEqual(
      events.map((event) => event.result),
      ['ok', 'ok', 'failed', 'failed'],
    );
    assert.ok(!JSON.stringify(events).includes(next));
  });
});
