import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import { describeEachDialect, type TestStore } from '../../test/fixtures/store.ts';
import { createAuditLog } from '../audit/index.ts';
import { ManualClock } from '../core/clock.ts';
import { openVault } from '../vault/index.ts';
import { banMessage } from './bans.ts';
import { activeBan, recordLoginFailure, type ThrottleDeps } from './throttle.ts';

const minute = 60_000;
const settings = { maxFailures: 5, findMinutes: 10, banMinutes: 10, maxBanMinutes: 1_440 };

async function throttleDeps(opened: TestStore, overrides: Partial<typeof settings> = {}) {
  const clock = new ManualClock('2026-11-23T18:00:00Z');
  const vault = await openVault(
    { store: opened.store, clock },
    { keyFile: path.join(opened.directory, 'master.key') },
  );
  const audit = await createAuditLog({ store: opened.store, vault, clock });
  const deps: ThrottleDeps = { store: opened.store, clock, audit, settings: { ...settings, ...overrides } };
  return { deps, clock, audit };
}

/** Failures 1…count for the subjects, a second apart; returns what the last one returned. */
async function fail(
  deps: ThrottleDeps,
  clock: ManualClock,
  count: number,
  ip: string | null,
  account: string | null = null,
) {
  let ban: Awaited<ReturnType<typeof recordLoginFailure>>;
  for (let n = 0; n < count; n++) {
    if (n > 0) clock.advance(1_000);
    ban = await recordLoginFailure(deps, { ip, account, reason: 'wrong password' });
    if (n < count - 1) assert.equal(ban, undefined, `no ban after ${n + 1} failures`);
  }
  return ban;
}

describeEachDialect('login throttle', (use, dialect) => {
  it('bans an IP on the fifth failure within ten minutes, until the ban expires', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock, audit } = await throttleDeps(opened);
    const ip = '203.0.113.9';
    const ban = await fail(deps, clock, 5, ip);
    assert.ok(ban, 'the fifth failure bans');
    const bannedAt = clock.now();
    assert.deepEqual(ban, {
      id: ban.id,
      subjectKind: 'ip',
      subject: ip,
      reason: '5 failed logins within 10 minutes (last: wrong password)',
      offence: 1,
      createdAt: bannedAt,
      expiresAt: new Date(bannedAt.getTime() + 10 * minute),
      liftedAt: null,
      liftedBy: null,
    });
    assert.match(ban.id, /^ban_/);
    // The sixth attempt is refused before its password is even checked.
    assert.deepEqual(await activeBan(deps, { ip, account: 'someone@example.com' }), ban);
    assert.equal(await activeBan(deps, { ip: '203.0.113.10', account: null }), undefined);
    assert.equal(
      await activeBan(deps, { ip: `::ffff:${ip}`, account: null }).then((found) => found?.id),
      ban.id,
    );
    assert.equal(
      banMessage(ban),
      'too many failed logins from 203.0.113.9: refused until 2026-11-23T18:10:04Z',
    );

    clock.advance(10 * minute - 1);
    assert.equal(
      (await activeBan(deps, { ip, account: null }))?.id,
      ban.id,
      'still banned a millisecond before',
    );
    clock.advance(1);
    assert.equal(
      await activeBan(deps, { ip, account: null }),
      undefined,
      'free once the clock reaches expires_at',
    );
    // The failures before the ban no longer count: one more failure does not ban again.
    assert.equal(await recordLoginFailure(deps, { ip, account: null, reason: 'wrong password' }), undefined);

    const events = await audit.list({ action: 'ban.' });
    assert.equal(events.length, 1);
    assert.deepEqual(
      { ...events[0], id: '', hash: '', seq: 0 },
      {
        seq: 0,
        id: '',
        hash: '',
        at: bannedAt,
        actorId: 'throttle',
        actorLabel: 'throttle',
        action: 'ban.create',
        target: ip,
        ip,
        result: 'ok',
        details: {
          banId: ban.id,
          subjectKind: 'ip',
          offence: 1,
          minutes: 10,
          failures: 5,
          expiresAt: '2026-11-23T18:10:04.000Z',
        },
      },
    );
    assert.equal((await audit.verify()).ok, true);
  });

  it('does not ban failures spread over more than the find window', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock } = await throttleDeps(opened);
    for (let n = 0; n < 12; n++) {
      assert.equal(
        await recordLoginFailure(deps, { ip: '192.0.2.1', account: 'bob@example.com', reason: 'x' }),
        undefined,
      );
      clock.advance(2.5 * minute); // four in any ten minutes, never five
    }
    assert.equal(await activeBan(deps, { ip: '192.0.2.1', account: 'bob@example.com' }), undefined);
    // Old failures are pruned as new ones come in.
    const kept = await opened.store.db.selectFrom('login_failures').select('at').execute();
    assert.ok(kept.length <= 2 * 5, `only failures inside the window are kept (${kept.length})`);
    const oldest = Math.min(...kept.map((row) => Number(row.at)));
    assert.ok(oldest >= clock.now().getTime() - 2.5 * minute - 10 * minute);
  });

  it('doubles the ban for each earlier ban of the subject in the last day, up to the cap', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock } = await throttleDeps(opened, { maxBanMinutes: 60 });
    const ip = '198.51.100.23';
    const durations: [number, number][] = [];
    for (let offence = 1; offence <= 4; offence++) {
      const ban = await fail(deps, clock, 5, ip);
      assert.ok(ban);
      durations.push([ban.offence, (ban.expiresAt.getTime() - ban.createdAt.getTime()) / minute]);
      clock.set(ban.expiresAt);
    }
    assert.deepEqual(durations, [
      [1, 10],
      [2, 20],
      [3, 40],
      [4, 60],
    ]);
    // A day after the first ban it no longer counts; the second one (at about +10 minutes) still does.
    clock.set('2026-11-24T18:05:00Z');
    const later = await fail(deps, clock, 5, ip);
    assert.equal(later?.offence, 4);
    clock.set('2026-11-26T00:00:00Z');
    assert.equal((await fail(deps, clock, 5, ip))?.offence, 1);
  });

  it('bans an account attacked from several addresses, whatever the case of the email', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock, audit } = await throttleDeps(opened);
    let ban: Awaited<ReturnType<typeof recordLoginFailure>>;
    for (let n = 1; n <= 5; n++) {
      ban = await recordLoginFailure(deps, {
        ip: `192.0.2.${n}`,
        account: n % 2 ? ' Alice@Example.COM' : 'alice@example.com',
        reason: 'wrong password',
      });
      clock.advance(30_000);
    }
    assert.ok(ban);
    assert.equal(ban.subjectKind, 'account');
    assert.equal(ban.subject, 'alice@example.com');
    assert.equal(
      banMessage(ban),
      'too many failed logins for alice@example.com: refused until 2026-11-23T18:12:00Z',
    );
    assert.equal((await activeBan(deps, { ip: '203.0.113.50', account: 'ALICE@example.com' }))?.id, ban.id);
    assert.equal(
      await activeBan(deps, { ip: '192.0.2.1', account: null }),
      undefined,
      'no address is banned',
    );
    assert.equal(await activeBan(deps, { ip: null, account: 'bob@example.com' }), undefined);
    assert.deepEqual(
      (await audit.list({ action: 'ban.create' })).map((event) => [event.target, event.ip]),
      [['alice@example.com', '192.0.2.5']],
    );
  });

  it('returns the ban of either subject that ends last', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock } = await throttleDeps(opened);
    const first = await fail(deps, clock, 5, '192.0.2.77');
    clock.advance(5 * minute);
    const second = await fail(deps, clock, 5, null, 'carol@example.com');
    assert.ok(first && second);
    assert.equal((await activeBan(deps, { ip: '192.0.2.77', account: 'carol@example.com' }))?.id, second.id);
    assert.equal(await recordLoginFailure(deps, { ip: null, account: null, reason: 'x' }), undefined);
  });

  it('makes one ban when failures of one subject arrive together', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps } = await throttleDeps(opened);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        recordLoginFailure(deps, {
          ip: '203.0.113.200',
          account: 'dave@example.com',
          reason: 'wrong password',
        }),
      ),
    );
    const bans = results.filter((ban) => ban !== undefined);
    assert.ok(bans.length >= 1 && bans.length <= 2, `${bans.length} bans returned`);
    const rows = await opened.store.db.selectFrom('bans').select(['subject_kind', 'subject']).execute();
    assert.deepEqual(
      rows.map((row) => `${row.subject_kind}:${row.subject}`).sort(),
      ['account:dave@example.com', 'ip:203.0.113.200'],
      `one ban per subject on ${dialect}`,
    );
  });
});
