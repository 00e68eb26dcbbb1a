import assert from 'node:assert/strict';
import path from 'node:path';
import { it, test } from 'node:test';
import { describeEachDialect, type TestStore } from '../../test/fixtures/store.ts';
import { createAuditLog } from '../audit/index.ts';
import { ManualClock } from '../core/clock.ts';
import { openVault } from '../vault/index.ts';
import { type Actor, anonymousActor } from './actor.ts';
import { banMessage, liftBan, listBans } from './bans.ts';
import { type Role, rolePermissions } from './permissions.ts';
import { activeBan, recordLoginFailure, type ThrottleDeps } from './throttle.ts';
import type { Ban } from './throttle-types.ts';

const minute = 60_000;

function actorWithRole(role: Role): Actor {
  return {
    kind: 'user',
    id: `usr_${role.replace('-', '')}`,
    label: `${role}@example.com`,
    role,
    permissions: new Set(rolePermissions[role]),
    secondFactorAt: null,
    ip: '198.51.100.7',
  };
}

async function throttleDeps(opened: TestStore) {
  const clock = new ManualClock('2026-11-23T18:00:00Z');
  const vault = await openVault(
    { store: opened.store, clock },
    { keyFile: path.join(opened.directory, 'master.key') },
  );
  const audit = await createAuditLog({ store: opened.store, vault, clock });
  const settings = { maxFailures: 5, findMinutes: 10, banMinutes: 10, maxBanMinutes: 1_440 };
  const deps: ThrottleDeps = { store: opened.store, clock, audit, settings };
  return { deps, clock, audit };
}

async function banSubject(
  deps: ThrottleDeps,
  subjects: { ip: string | null; account: string | null },
): Promise<Ban> {
  let ban: Ban | undefined;
  for (let n = 0; n < 5; n++) ban = await recordLoginFailure(deps, { ...subjects, reason: 'wrong password' });
  assert.ok(ban);
  return ban;
}

describeEachDialect('bans', (use) => {
  it('lists bans to those who may read them, newest first, active or not', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock } = await throttleDeps(opened);
    const first = await banSubject(deps, { ip: '203.0.113.1', account: null });
    clock.advance(minute);
    const second = await banSubject(deps, { ip: null, account: 'erin@example.com' });
    clock.advance(9 * minute); // the first has just expired, the second has a minute left

    const operator = actorWithRole('operator');
    assert.deepEqual(
      (await listBans(deps, operator)).map((ban) => ban.id),
      [second.id, first.id],
    );
    assert.deepEqual(
      (await listBans(deps, operator, { active: true })).map((ban) => ban.id),
      [second.id],
    );
    assert.deepEqual(
      (await listBans(deps, operator, { active: false })).map((ban) => ban.id),
      [first.id],
    );
    assert.deepEqual(
      (await listBans(deps, actorWithRole('admin'), { limit: 1 })).map((ban) => ban.id),
      [second.id],
    );
    await assert.rejects(listBans(deps, operator, { limit: 0 }), { code: 'invalid_input' });
    await assert.rejects(listBans(deps, actorWithRole('viewer')), {
      code: 'forbidden',
      message: /bans:read/,
    });
    await assert.rejects(listBans(deps, actorWithRole('account-manager')), { code: 'forbidden' });
    await assert.rejects(listBans(deps, anonymousActor('203.0.113.1')), { code: 'unauthenticated' });
  });

  it('lifts an active ban with bans:write, audited, and refuses a second lift', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock, audit } = await throttleDeps(opened);
    const ip = '203.0.113.9';
    const ban = await banSubject(deps, { ip, account: null });
    clock.advance(2 * minute);

    await assert.rejects(liftBan(deps, actorWithRole('viewer'), ban.id), {
      code: 'forbidden',
      message: /bans:write/,
    });
    await assert.rejects(liftBan(deps, anonymousActor(ip), ban.id), { code: 'unauthenticated' });
    assert.equal(
      (await activeBan(deps, { ip, account: null }))?.id,
      ban.id,
      'a refused lift changes nothing',
    );

    const operator = actorWithRole('operator');
    const lifted = await liftBan(deps, operator, ban.id);
    assert.deepEqual(lifted, { ...ban, liftedAt: clock.now(), liftedBy: operator.id });
    assert.deepEqual((await listBans(deps, operator))[0], lifted);
    assert.equal(await activeBan(deps, { ip, account: null }), undefined);

    await assert.rejects(liftBan(deps, operator, ban.id), { code: 'conflict', message: /already lifted/ });
    await assert.rejects(liftBan(deps, operator, 'ban_missing'), { code: 'not_found' });

    const events = await audit.list({ action: 'ban.' });
    assert.deepEqual(
      events.map((event) => [
        event.action,
        event.actorId,
        event.actorLabel,
        event.target,
        event.ip,
        event.details.banId,
      ]),
      [
        ['ban.lift', operator.id, 'operator@example.com', ip, '198.51.100.7', ban.id],
        ['ban.create', 'throttle', 'throttle', ip, ip, ban.id],
      ],
    );
    assert.equal((await audit.verify()).ok, true);

    // The failures before the lift no longer count.
    assert.equal(await recordLoginFailure(deps, { ip, account: null, reason: 'wrong password' }), undefined);
  });

  it('refuses to lift an expired ban', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const { deps, clock } = await throttleDeps(opened);
    const ban = await banSubject(deps, { ip: '203.0.113.30', account: null });
    clock.set(ban.expiresAt);
    await assert.rejects(liftBan(deps, actorWithRole('admin'), ban.id), {
      code: 'conflict',
      message: `ban ${ban.id} already expired at 2026-11-23T18:10:00Z`,
    });
  });
});

test('says who is refused and until when', () => {
  const base: Ban = {
    id: 'ban_1',
    subjectKind: 'ip',
    subject: '203.0.113.9',
    reason: '5 failed logins within 10 minutes',
    offence: 1,
    createdAt: new Date('2026-11-23T18:00:00Z'),
    expiresAt: new Date('2026-11-23T18:10:00.250Z'),
    liftedAt: null,
    liftedBy: null,
  };
  assert.equal(
    banMessage(base),
    'too many failed logins from 203.0.113.9: refused until 2026-11-23T18:10:01Z',
  );
  assert.equal(
    banMessage({ ...base, subjectKind: 'account', subject: 'alice@example.com' }),
    'too many failed logins for alice@example.com: refused until 2026-11-23T18:10:01Z',
  );
});
