import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { dumpDatabase, roostError, setUp } from './test-fixture.ts';
import { createToken, listTokens, resolveToken, revokeToken } from './tokens.ts';

const day = 86_400_000;

describeEachDialect('API tokens', (use) => {
  it('are shown once, stored hashed, and resolve to an actor with their scopes', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const operator = await access.loginAs(await access.addUser('operator'));
    const { token, record } = await createToken(deps, operator.actor, {
      name: 'deploy bot',
      scopes: ['instances:read', 'instances:write', 'instances:read'],
    });
    assert.match(token, /^rst_[A-Za-z0-9_-]{43}$/);
    assert.match(record.id, /^tok_/);
    assert.deepEqual(record.scopes, ['instances:read', 'instances:write']);
    assert.equal(record.expiresAt?.getTime(), clock.now().getTime() + 90 * day, '90 days by default');
    assert.equal(Object.hasOwn(record, 'token'), false);
    assert.ok(!(await dumpDatabase(deps.store)).includes(token), 'the token text is nowhere in the database');
    assert.ok(!(await dumpDatabase(deps.store)).includes(token.slice(4)));

    const actor = await resolveToken(deps, token, '203.0.113.9');
    assert.ok(actor);
    assert.equal(actor.kind, 'token');
    assert.equal(actor.id, operator.actor.id);
    assert.equal(actor.tokenId, record.id);
    assert.equal(actor.secondFactorAt, null);
    assert.equal(actor.ip, '203.0.113.9');
    assert.deepEqual([...actor.permissions].sort(), ['instances:read', 'instances:write']);
    assert.equal(await resolveToken(deps, 'rst_unknown', null), undefined);
    assert.equal(await resolveToken(deps, 'Basic abc', null), undefined);
    assert.equal((await listTokens(deps, operator.actor)).length, 1);

    // The role bounds the scopes at every use: a demoted user's token loses what the new role lacks.
    await deps.store.db
      .updateTable('users')
      .set({ role: 'viewer' })
      .where('id', '=', operator.actor.id)
      .execute();
    assert.deepEqual([...((await resolveToken(deps, token, null))?.permissions ?? [])], ['instances:read']);
  });

  it('cannot carry a scope its creator lacks', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const viewer = await access.loginAs(await access.addUser('viewer'));
    await assert.rejects(
      createToken(deps, viewer.actor, { name: 'too much', scopes: ['instances:read', 'instances:write'] }),
      roostError('forbidden', /instances:write/),
    );
    await assert.rejects(
      createToken(deps, viewer.actor, { name: 'x', scopes: ['nope:read' as 'instances:read'] }),
      roostError('invalid_input'),
    );
    await assert.rejects(
      createToken(deps, viewer.actor, { name: 'x', scopes: [] }),
      roostError('invalid_input'),
    );
    await assert.rejects(
      createToken(deps, viewer.actor, { name: 'x', scopes: ['instances:read'], expiresInDays: 400 }),
      roostError('invalid_input'),
    );
    await assert.rejects(
      createToken(deps, access.local, { name: 'x', scopes: ['instances:read'] }),
      roostError('invalid_input', /name the user the token is for/),
    );
    await assert.rejects(
      createToken(deps, access.local, { name: 'x', scopes: ['instances:write'], userId: viewer.actor.id }),
      roostError('forbidden', /instances:write/),
      "from the CLI on the server, still within the owner's role",
    );
    const { token } = await createToken(deps, viewer.actor, { name: 'reader', scopes: ['instances:read'] });
    const tokenActor = await resolveToken(deps, token, null);
    assert.ok(tokenActor);
    await assert.rejects(
      createToken(deps, tokenActor, { name: 'child', scopes: ['instances:read'] }),
      roostError('forbidden'),
      'a token cannot mint tokens',
    );
  });

  it('expire, can be revoked, and note their last use at most once a minute', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock, local } = access;
    const viewer = await access.loginAs(await access.addUser('viewer'));
    const short = await createToken(deps, viewer.actor, {
      name: 'short',
      scopes: ['status:read'],
      expiresInDays: 1,
    });
    const long = await createToken(deps, viewer.actor, { name: 'long', scopes: ['status:read'] });
    const lastUsed = async () =>
      (await listTokens(deps, viewer.actor))
        .find((token) => token.id === long.record.id)
        ?.lastUsedAt?.getTime() ?? null;

    assert.equal(await lastUsed(), null);
    await resolveToken(deps, long.token, null);
    const first = clock.now().getTime();
    assert.equal(await lastUsed(), first);
    clock.advance(59_000);
    await resolveToken(deps, long.token, null);
    assert.equal(await lastUsed(), first, 'not written again within a minute');
    clock.advance(1_000);
    await resolveToken(deps, long.token, null);
    assert.equal(await lastUsed(), clock.now().getTime());

    assert.ok(await resolveToken(deps, short.token, null));
    clock.advance(day);
    assert.equal(await resolveToken(deps, short.token, null), undefined, 'expired');

    const stranger = await access.loginAs(await access.addUser('viewer'));
    await assert.rejects(
      revokeToken(deps, stranger.actor, { tokenId: long.record.id }),
      roostError('not_found'),
    );
    assert.equal((await listTokens(deps, stranger.actor)).length, 0);
    await assert.rejects(
      listTokens(deps, stranger.actor, { all: true }),
      roostError('forbidden', /users:write/),
    );
    assert.equal((await listTokens(deps, local, { all: true })).length, 2);

    const revoked = await revokeToken(deps, viewer.actor, { tokenId: long.record.id });
    assert.ok(revoked.revokedAt);
    assert.equal(await resolveToken(deps, long.token, null), undefined);
    assert.equal(
      (await revokeToken(deps, viewer.actor, { tokenId: long.record.id })).id,
      long.record.id,
      'twice is harmless',
    );
    const other = await createToken(deps, stranger.actor, { name: 'theirs', scopes: ['status:read'] });
    await revokeToken(deps, local, { tokenId: other.record.id });
    assert.equal(await resolveToken(deps, other.token, null), undefined, 'an admin revokes anyone’s');

    const events = await deps.audit.list({ action: 'token.' });
    assert.deepEqual(events.map((event) => event.action).sort(), [
      'token.create',
      'token.create',
      'token.create',
      'token.revoke',
      'token.revoke',
    ]);
    const dump = JSON.stringify(events);
    for (const token of [short.token, long.token, other.token]) assert.ok(!dump.includes(token));
  });
});
