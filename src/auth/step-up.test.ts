import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { hasFreshSecondFactor, requireFreshSecondFactor } from './actor.ts';
import { login } from './login.ts';
import { resolveSession } from './sessions.ts';
import { confirmSecondFactor } from './step-up.ts';
import { roostError, setUp } from './test-fixture.ts';
import { createToken, resolveToken } from './tokens.ts';

const minute = 60_000;

describeEachDialect('second-factor step-up', (use) => {
  it('a current code refreshes the session: audited as at log-in, the action needing it is allowed again', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const admin = await access.loginAs(await access.addUser('admin'), { ip: '192.0.2.40' });
    const secret = admin.totpSecret ?? '';
    clock.advance(6 * minute);
    const stale = (await resolveSession(deps, admin.sessionToken, '192.0.2.40'))?.actor;
    assert.ok(stale);
    assert.throws(
      () => requireFreshSecondFactor(stale, clock),
      roostError('forbidden', /confirm a current code/),
    );

    const { actor, proof } = await confirmSecondFactor(deps, stale, { code: await access.code(secret) });
    assert.deepEqual(proof, { method: 'totp' });
    assert.equal(actor.secondFactorAt, clock.now().getTime());
    requireFreshSecondFactor(actor, clock);
    const again = (await resolveSession(deps, admin.sessionToken, '192.0.2.40'))?.actor;
    assert.equal(again?.secondFactorAt, clock.now().getTime(), 'the session itself is refreshed');

    const verified = await deps.audit.list({ action: 'second-factor.verify', target: stale.id });
    assert.deepEqual(
      verified.map((event) => event.result),
      ['ok'],
    );
    const [marked] = await deps.audit.list({ action: 'session.second-factor', target: stale.id });
    assert.deepEqual(marked?.details, { sessionId: stale.sessionId, method: 'totp', purpose: 'step-up' });
    assert.equal(marked?.ip, '192.0.2.40');
    assert.ok((await deps.audit.verify()).ok);
  });

  it('a wrong, replayed or expired code is refused, counted as a failed login, and bans after five', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const user = await access.addUser('admin');
    const admin = await access.loginAs(user, { ip: '192.0.2.41' });
    const secret = admin.totpSecret ?? '';
    clock.advance(6 * minute);
    const stale = (await resolveSession(deps, admin.sessionToken, '192.0.2.41'))?.actor;
    assert.ok(stale);
    const used = await access.code(secret);
    const { actor: fresh } = await confirmSecondFactor(deps, stale, { code: used });

    clock.advance(6 * minute);
    const refused = roostError('unauthenticated', /wrong code/);
    await assert.rejects(confirmSecondFactor(deps, stale, { code: used }), refused, 'replayed');
    await assert.rejects(
      confirmSecondFactor(deps, stale, { code: await access.code(secret, -120) }),
      refused,
      'expired: four steps old',
    );
    const near = await Promise.all([-30, 0, 30].map((offset) => access.code(secret, offset)));
    const wrong = ['000000', '111111', '222222', '333333'].find((code) => !near.includes(code)) ?? '';
    await assert.rejects(confirmSecondFactor(deps, stale, { code: wrong }), refused);
    await assert.rejects(confirmSecondFactor(deps, stale, { code: 'not-a-code' }), refused);
    const session = await resolveSession(deps, admin.sessionToken, '192.0.2.41');
    assert.equal(session?.actor.secondFactorAt, fresh.secondFactorAt, 'a refused code refreshes nothing');
    assert.equal(hasFreshSecondFactor(session?.actor ?? stale, clock), false);

    const failures = await deps.store.db
      .selectFrom('login_failures')
      .select('subject_kind')
      .where('subject', 'in', ['192.0.2.41', user.email])
      .execute();
    assert.equal(failures.length, 8, 'four failures, each against the IP and the account');
    const failed = await deps.audit.list({ action: 'second-factor.verify', result: 'failed' });
    assert.equal(failed.length, 4);

    // The fifth wrong code bans the account and the IP: then even the right code is refused.
    await assert.rejects(confirmSecondFactor(deps, stale, { code: wrong }), refused);
    await assert.rejects(
      confirmSecondFactor(deps, stale, { code: await access.code(secret, 30) }),
      roostError('rate_limited', /until/),
    );
    const bans = await deps.store.db.selectFrom('bans').select('subject_kind').execute();
    assert.deepEqual(bans.map((ban) => ban.subject_kind).sort(), ['account', 'ip']);
  });

  it('only a person with a complete log-in steps up: never a token, nor a session still owing its code', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const user = await access.addUser('admin');
    const admin = await access.loginAs(user);
    const { token } = await createToken(deps, admin.actor, { name: 'ci', scopes: ['keys:export'] });
    const tokenActor = await resolveToken(deps, token, null);
    assert.ok(tokenActor);
    const code = await access.code(admin.totpSecret ?? '', 30);
    await assert.rejects(
      confirmSecondFactor(deps, tokenActor, { code }),
      roostError('forbidden', /logged in to the admin UI/),
    );
    assert.throws(
      () => requireFreshSecondFactor(tokenActor, access.clock),
      roostError('forbidden', /an API token never carries/),
    );
    const pending = await login(deps, { email: user.email, password: user.password, ip: null });
    const owing = (await resolveSession(deps, pending.sessionToken, null))?.actor;
    assert.ok(owing);
    await assert.rejects(
      confirmSecondFactor(deps, owing, { code }),
      roostError('forbidden', /finish logging in/),
    );
    assert.deepEqual(await deps.audit.list({ action: 'second-factor.verify', result: 'ok' }), []);
  });
});
