import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { completeSecondFactor, login } from './login.ts';
import { hashPassword } from './passwords.ts';
import { dumpDatabase, roostError, setUp } from './test-fixture.ts';
import { disableUser } from './users.ts';

describeEachDialect('login', (use) => {
  it('gives one answer for an unknown email, a wrong password and a disabled user, and audits each', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, local } = access;
    const user = await access.addUser('viewer');
    const disabled = await access.addUser('viewer');
    await disableUser(deps, local, { userId: disabled.id });
    const attempts = [
      { email: 'nobody@example.com', password: user.password },
      { email: user.email, password: 'not-the-password-at-all' },
      { email: disabled.email, password: disabled.password },
    ];
    for (const attempt of attempts) {
      await assert.rejects(
        login(deps, { ...attempt, ip: '192.0.2.50' }),
        roostError('unauthenticated', /^wrong email or password$/),
      );
    }
    const failed = await deps.audit.list({ action: 'session.login', result: 'failed' });
    assert.deepEqual(failed.map((event) => [event.ip, event.details.reason]).reverse(), [
      ['192.0.2.50', 'unknown email'],
      ['192.0.2.50', 'wrong password'],
      ['192.0.2.50', 'disabled user'],
    ]);
    assert.ok(!JSON.stringify(failed).includes('not-the-password-at-all'));

    const ok = await login(deps, {
      email: user.email.toUpperCase(),
      password: user.password,
      ip: '192.0.2.51',
      userAgent: 'curl/8',
    });
    assert.equal(ok.next, 'done');
    assert.equal(ok.user.id, user.id);
    assert.equal(ok.session.userAgent, 'curl/8');
    assert.equal(ok.session.secondFactorAt, null);
    const [event] = await deps.audit.list({ action: 'session.login', result: 'ok' });
    assert.equal(event?.actorId, user.id);
    assert.equal(event?.ip, '192.0.2.51');
    assert.ok(!(await dumpDatabase(deps.store)).includes(user.password));
  });

  it('is refused while banned, even with the right password', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const user = await access.addUser('viewer');
    const ip = '203.0.113.66';
    for (let attempt = 1; attempt < 5; attempt++) {
      await assert.rejects(
        login(deps, { email: user.email, password: `wrong-guess-number-${attempt}`, ip }),
        roostError('unauthenticated'),
      );
    }
    // The fifth failure is answered like the others; the ban it causes refuses every later attempt.
    await assert.rejects(
      login(deps, { email: user.email, password: 'wrong-guess-number-5', ip }),
      roostError('unauthenticated'),
    );
    let until = '';
    await assert.rejects(login(deps, { email: user.email, password: user.password, ip }), (error) => {
      roostError('rate_limited', /too many failed logins.*refused until/)(error);
      until = String((error as { details?: { until?: string } }).details?.until);
      return true;
    });
    assert.equal(until, new Date(clock.now().getTime() + 10 * 60_000).toISOString());
    await assert.rejects(
      login(deps, { email: user.email, password: user.password, ip: '198.51.100.1' }),
      roostError('rate_limited', new RegExp(`for ${user.email}`)),
      'the account is banned from every address',
    );
    const denied = await deps.audit.list({ action: 'session.login', result: 'denied' });
    assert.equal(denied.length, 2);
    assert.equal(denied[0]?.details.reason, 'banned');

    clock.advance(10 * 60_000 + 1_000);
    assert.equal(
      (await login(deps, { email: user.email, password: user.password, ip })).next,
      'done',
      'the ban ends',
    );
  });

  it('rehashes a password stored with weaker parameters at the next login', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const user = await access.addUser('viewer');
    const weak = await hashPassword(user.password, { N: 2 ** 12, r: 8, p: 1 });
    await deps.store.db.updateTable('users').set({ password_hash: weak }).where('id', '=', user.id).execute();
    await login(deps, { email: user.email, password: user.password, ip: null });
    const row = await deps.store.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$/);
    await login(deps, { email: user.email, password: user.password, ip: null });
  });

  it('second step: a wrong code counts toward a ban; the right one completes the login', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const user = await access.addUser('admin');
    const enrolled = await access.loginAs(user);
    clock.advance(60_000);
    const pending = await login(deps, { email: user.email, password: user.password, ip: '192.0.2.77' });
    assert.equal(pending.next, 'second-factor');
    await assert.rejects(
      completeSecondFactor(deps, { sessionToken: pending.sessionToken, code: '000000', ip: '192.0.2.77' }),
      roostError('unauthenticated', /wrong code/),
    );
    await assert.rejects(
      completeSecondFactor(deps, { sessionToken: 'nope', code: '000000', ip: null }),
      roostError('unauthenticated', /log in again/),
    );
    const done = await completeSecondFactor(deps, {
      sessionToken: pending.sessionToken,
      code: await access.code(enrolled.totpSecret ?? ''),
      ip: '192.0.2.77',
    });
    assert.ok(done.actor.permissions.has('secrets:reveal'));
    assert.equal(done.session.secondFactorAt?.getTime(), clock.now().getTime());
    const failures = await deps.store.db
      .selectFrom('login_failures')
      .select(['subject_kind', 'subject'])
      .execute();
    assert.deepEqual(failures.map((failure) => failure.subject_kind).sort(), ['account', 'ip']);
    assert.ok((await deps.audit.verify()).ok, 'the audit chain holds');
  });
});
