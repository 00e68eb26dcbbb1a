import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { login } from './login.ts';
import { verifySecondFactor } from './second-factor.ts';
import { resolveSession } from './sessions.ts';
import { dumpDatabase, roostError, setUp } from './test-fixture.ts';
import { confirmEnrolment, resetSecondFactor, startEnrolment } from './totp.ts';

describeEachDialect('TOTP', (use) => {
  it('enrols with a QR code, keeps the secret in the vault, and returns ten recovery codes once', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const user = await access.addUser('viewer', { email: 'carol@example.com' });
    const { sessionToken } = await login(deps, { email: user.email, password: user.password, ip: null });
    const actor = (await resolveSession(deps, sessionToken, null))?.actor;
    assert.ok(actor);

    await assert.rejects(
      confirmEnrolment(deps, actor, { code: '123456' }),
      roostError('conflict', /no enrolment in progress/),
    );
    const enrolment = await startEnrolment(deps, actor);
    assert.match(enrolment.secret, /^[A-Z2-7]{32}$/);
    assert.match(enrolment.otpauthUrl, /^otpauth:\/\/totp\/Roost:carol%40example\.com\?/);
    assert.match(enrolment.otpauthUrl, new RegExp(`secret=${enrolment.secret}`));
    assert.match(enrolment.otpauthUrl, /issuer=Roost/);
    assert.match(enrolment.qrSvg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.deepEqual(
      (await deps.vault.list(user.id)).map((secret) => secret.name),
      ['totp-pending'],
    );
    assert.ok(
      !(await dumpDatabase(deps.store)).includes(enrolment.secret),
      'encrypted in the vault, nowhere else',
    );

    await assert.rejects(
      confirmEnrolment(deps, actor, { code: await access.code(enrolment.secret, 300) }),
      roostError('invalid_input', /wrong code/),
    );
    const other = await login(deps, { email: user.email, password: user.password, ip: null });
    const { recoveryCodes, sessionsEnded } = await confirmEnrolment(deps, actor, {
      code: await access.code(enrolment.secret),
    });
    // The session opened with the factor as it was ends; the one that confirmed the code goes on.
    assert.equal(sessionsEnded, 1);
    assert.equal(await resolveSession(deps, other.sessionToken, null), undefined);
    assert.ok(await resolveSession(deps, sessionToken, null));
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    for (const code of recoveryCodes)
      assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    assert.deepEqual(
      (await deps.vault.list(user.id)).map((secret) => secret.name),
      ['totp', 'totp-last-step'],
    );
    const row = await deps.store.db
      .selectFrom('users')
      .select('totp_enabled_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.totp_enabled_at), access.clock.now().getTime());
    const dump = await dumpDatabase(deps.store);
    for (const code of [
      enrolment.secret,
      ...recoveryCodes,
      ...recoveryCodes.map((code) => code.replaceAll('-', '')),
    ]) {
      assert.ok(!dump.includes(code), 'secret and recovery codes are not stored in clear');
    }

    // Enrolling again replaces the factor, but only with a code entered in the last 5 minutes.
    access.clock.advance(6 * 60_000);
    const stale = (await resolveSession(deps, sessionToken, null))?.actor;
    assert.ok(stale);
    await assert.rejects(startEnrolment(deps, stale), roostError('forbidden', /last 5 minutes/));
  });

  it('accepts a code once, within one step either way; a recovery code works once', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, clock } = access;
    const user = await access.addUser('operator');
    const enrolled = await access.loginAs(user);
    const secret = enrolled.totpSecret ?? '';
    const [recovery, another] = enrolled.recoveryCodes ?? [];
    assert.ok(recovery && another);
    const ip = '198.51.100.20';

    // The enrolment used this step's code: the same code is refused, even in the next 30 s.
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: await access.code(secret), ip }),
      roostError('unauthenticated', /wrong code/),
    );
    clock.advance(30_000);
    const current = await access.code(secret);
    assert.deepEqual(await verifySecondFactor(deps, { userId: user.id, code: current, ip }), {
      method: 'totp',
    });
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: current, ip }),
      roostError('unauthenticated'),
      'reuse refused',
    );

    clock.advance(5 * 60_000);
    assert.deepEqual(
      await verifySecondFactor(deps, { userId: user.id, code: await access.code(secret, -30), ip }),
      { method: 'totp' },
      'one step late',
    );
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: await access.code(secret, -60), ip }),
      roostError('unauthenticated'),
      'older than the last accepted',
    );
    clock.advance(5 * 60_000);
    assert.deepEqual(
      await verifySecondFactor(deps, { userId: user.id, code: await access.code(secret, 30), ip }),
      { method: 'totp' },
      'one step early',
    );
    clock.advance(5 * 60_000);
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: await access.code(secret, 90), ip }),
      roostError('unauthenticated'),
    );

    const used = await verifySecondFactor(deps, { userId: user.id, code: recovery.toUpperCase(), ip });
    assert.deepEqual(used, { method: 'recovery-code', remainingRecoveryCodes: 9 });
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: recovery, ip }),
      roostError('unauthenticated'),
      'once only',
    );
    assert.equal(
      (await verifySecondFactor(deps, { userId: user.id, code: another.replaceAll('-', ' '), ip }))
        .remainingRecoveryCodes,
      8,
    );

    const events = await deps.audit.list({ action: 'second-factor.verify' });
    assert.ok(events.some((event) => event.result === 'failed'));
    const dump = JSON.stringify(events);
    assert.ok(!dump.includes(recovery) && !dump.includes(current) && !dump.includes(secret));
  });

  it('counts wrong codes as failed logins: the fifth bans the account', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps } = access;
    const user = await access.addUser('operator');
    const enrolled = await access.loginAs(user);
    for (let attempt = 1; attempt < 5; attempt++) {
      await assert.rejects(
        verifySecondFactor(deps, { userId: user.id, code: '000000', ip: `192.0.2.${attempt}` }),
        roostError('unauthenticated'),
      );
    }
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: '000000', ip: '192.0.2.5' }),
      roostError('unauthenticated'),
      'the fifth wrong code is answered like the others and bans the account',
    );
    await assert.rejects(
      verifySecondFactor(deps, { userId: user.id, code: '000000', ip: '192.0.2.6' }),
      roostError('rate_limited', new RegExp(`too many failed logins for ${user.email}`)),
    );
    access.clock.advance(30_000);
    await assert.rejects(
      verifySecondFactor(deps, {
        userId: user.id,
        code: await access.code(enrolled.totpSecret ?? ''),
        ip: '192.0.2.9',
      }),
      roostError('rate_limited'),
      'even the right code while banned',
    );
  });

  it('an admin resets a lost second factor: sessions end and the user enrols again', async (t) => {
    const access = await setUp(use, t);
    if (!access) return;
    const { deps, local } = access;
    const user = await access.addUser('operator');
    const enrolled = await access.loginAs(user);
    await assert.rejects(
      resetSecondFactor(deps, enrolled.actor, { userId: user.id }),
      roostError('forbidden'),
    );
    await resetSecondFactor(deps, local, { userId: user.id });
    assert.equal(await resolveSession(deps, enrolled.sessionToken, null), undefined);
    assert.deepEqual(await deps.vault.list(user.id), []);
    const again = await login(deps, { email: user.email, password: user.password, ip: null });
    assert.equal(again.next, 'enrol');
  });
});
