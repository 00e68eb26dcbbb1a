import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { checkCsrf, csrfToken } from './csrf.ts';
import { completeSecondFactor, login, logout } from './login.ts';
import { listSessions, resolveSession, revokeAllSessions, revokeSession } from './sessions.ts';
import { dumpDatabase, roostError, setUp } from './test-fixture.ts';
import { confirmEnrolment, startEnrolment } from './totp.ts';

const minute = 60_000;

describeEachDialect('sessions', (use) => {
  it('end after 15 minutes without activity, and last_seen_at is written at most every 30 s', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const user = await access.addUser('viewer');
    const { sessionToken, session } = await login(deps, {
      email: user.email,
      password: user.password,
      ip: '192.0.2.1',
      userAgent: 'Firefox',
    });
    assert.match(session.id, /^ses_/);
    assert.match(sessionToken, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!(await dumpDatabase(deps.store)).includes(sessionToken), 'only the hash is stored');

    const lastSeen = async () =>
      Number(
        (
          await deps.store.db
            .selectFrom('sessions')
            .select('last_seen_at')
            .where('id', '=', session.id)
            .executeTakeFirstOrThrow()
        ).last_seen_at,
      );
    clock.advance(10_000);
    const resolved = await resolveSession(deps, sessionToken, '192.0.2.1');
    assert.ok(resolved);
    assert.equal(resolved.actor.kind, 'user');
    assert.equal(resolved.actor.sessionId, session.id);
    assert.equal(resolved.actor.ip, '192.0.2.1');
    assert.ok(resolved.actor.permissions.has('incidents:read'));
    assert.equal(resolved.next, 'done');
    assert.equal(await lastSeen(), session.createdAt.getTime(), 'not written within 30 s');
    clock.advance(25_000);
    await resolveSession(deps, sessionToken, null);
    assert.equal(await lastSeen(), clock.now().getTime());

    clock.advance(14 * minute);
    assert.ok(await resolveSession(deps, sessionToken, null), 'active within 15 minutes');
    clock.advance(15 * minute);
    assert.ok(await resolveSession(deps, sessionToken, null), 'exactly 15 minutes idle is still fine');
    clock.advance(15 * minute + 1_000);
    assert.equal(await resolveSession(deps, sessionToken, null), undefined, 'idle logout');
    assert.equal(await resolveSession(deps, 'not-a-session', null), undefined);
    assert.equal(await resolveSession(deps, '', null), undefined);
  });

  it('end after their absolute lifetime however active', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const user = await access.addUser('viewer');
    const { sessionToken, session } = await login(deps, {
      email: user.email,
      password: user.password,
      ip: null,
    });
    assert.equal(session.expiresAt.getTime() - session.createdAt.getTime(), 12 * 60 * minute);
    for (let elapsed = 10; elapsed < 12 * 60; elapsed += 10) {
      clock.advance(10 * minute);
      assert.ok(await resolveSession(deps, sessionToken, null), `alive after ${elapsed} minutes`);
    }
    clock.advance(10 * minute);
    assert.equal(await resolveSession(deps, sessionToken, null), undefined);
  });

  it('log out, log out everywhere, revoke one; only one’s own unless users:write', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, local } = access;
    const user = await access.addUser('viewer');
    const laptop = await access.loginAs(user, { ip: '192.0.2.1' });
    const phone = await access.loginAs(user, { ip: '192.0.2.2' });
    const tablet = await access.loginAs(user, { ip: '192.0.2.3' });
    assert.equal((await listSessions(deps, laptop.actor, user.id)).length, 3);

    await logout(deps, { sessionToken: tablet.sessionToken, ip: '192.0.2.3' });
    await logout(deps, { sessionToken: tablet.sessionToken, ip: '192.0.2.3' });
    assert.equal(await resolveSession(deps, tablet.sessionToken, null), undefined);
    assert.equal((await listSessions(deps, laptop.actor, user.id)).length, 2);

    const stranger = await access.loginAs(await access.addUser('viewer'));
    await assert.rejects(
      revokeAllSessions(deps, stranger.actor, user.id),
      roostError('forbidden', /users:write/),
    );
    await assert.rejects(
      revokeSession(deps, stranger.actor, phone.actor.sessionId ?? ''),
      roostError('forbidden'),
    );
    await assert.rejects(listSessions(deps, stranger.actor, user.id), roostError('forbidden'));

    assert.equal(await revokeAllSessions(deps, laptop.actor, user.id), 2);
    assert.equal(await resolveSession(deps, laptop.sessionToken, null), undefined);
    assert.equal(await resolveSession(deps, phone.sessionToken, null), undefined);

    await revokeSession(deps, local, stranger.actor.sessionId ?? '');
    assert.equal(await resolveSession(deps, stranger.sessionToken, null), undefined);
    await assert.rejects(revokeSession(deps, local, 'ses_missing'), roostError('not_found'));
    const actions = (await deps.audit.list({ action: 'session.' })).map((event) => event.action);
    assert.ok(actions.includes('session.logout'));
    assert.ok(actions.includes('session.revoke-all'));
    assert.ok(actions.includes('session.revoke'));
  });

  it('give an admin without a second factor no permission until enrolment, and an enrolled user none until the code', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const admin = await access.addUser('admin');
    const first = await login(deps, { email: admin.email, password: admin.password, ip: null });
    assert.equal(first.next, 'enrol');
    const pending = await resolveSession(deps, first.sessionToken, null);
    assert.ok(pending);
    assert.equal(pending.next, 'enrol');
    assert.equal(pending.actor.permissions.size, 0, 'no permission before enrolment');
    assert.equal(pending.actor.role, 'admin');

    const enrolled = await access.loginAs(admin);
    assert.ok(enrolled.actor.permissions.has('users:write'));
    assert.ok(enrolled.actor.secondFactorAt !== null, 'confirming enrolment proves the factor');
    assert.ok(enrolled.totpSecret);

    access.clock.advance(60_000);
    const again = await login(deps, { email: admin.email, password: admin.password, ip: null });
    assert.equal(again.next, 'second-factor');
    const owed = await resolveSession(deps, again.sessionToken, null);
    assert.equal(owed?.actor.permissions.size, 0);
    assert.equal(owed?.next, 'second-factor');
    const done = await completeSecondFactor(deps, {
      sessionToken: again.sessionToken,
      code: await access.code(enrolled.totpSecret),
      ip: null,
    });
    assert.equal(done.next, 'done');
    assert.ok(done.actor.permissions.has('users:write'));
    assert.equal(done.actor.secondFactorAt, access.clock.now().getTime());

    // A viewer needs no second factor, but once they have one their sessions owe it too.
    const viewer = await access.addUser('viewer');
    const viewerSession = await access.loginAs(viewer);
    assert.equal(viewerSession.totpSecret, undefined);
    assert.ok(viewerSession.actor.permissions.has('incidents:read'));
    const enrolment = await startEnrolment(deps, viewerSession.actor);
    await confirmEnrolment(deps, viewerSession.actor, { code: await access.code(enrolment.secret) });
    const viewerAgain = await login(deps, { email: viewer.email, password: viewer.password, ip: null });
    assert.equal(viewerAgain.next, 'second-factor');
    assert.equal((await resolveSession(deps, viewerAgain.sessionToken, null))?.actor.permissions.size, 0);
  });

  it('derive a CSRF token per session and check it in constant time', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const user = await access.addUser('viewer');
    const one = await access.loginAs(user);
    const two = await access.loginAs(user);
    const token = csrfToken(one.sessionToken);
    assert.equal(csrfToken(one.sessionToken), token, 'deterministic');
    assert.notEqual(csrfToken(two.sessionToken), token);
    assert.ok(!token.includes(one.sessionToken));
    assert.equal(checkCsrf(one.sessionToken, token), true);
    assert.equal(checkCsrf(two.sessionToken, token), false);
    assert.equal(checkCsrf(one.sessionToken, undefined), false);
    assert.equal(checkCsrf(one.sessionToken, ''), false);
    assert.equal(checkCsrf(one.sessionToken, `${token}x`), false);
  });
});
