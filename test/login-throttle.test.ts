import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listBans, localActor } from '../src/auth/index.ts';
import type { RunningRoost } from '../src/main.ts';
import {
  accessDepsOf,
  serveTestRoost,
  startTestRoost,
  type TestRoost,
  testPassword,
  userWithRole,
} from './fixtures/roost.ts';

describe('brute force on the login form', () => {
  let test: TestRoost;
  let running: RunningRoost;
  let email: string;
  before(async () => {
    test = await startTestRoost();
    running = await serveTestRoost(test);
    email = (await userWithRole(test.roost, 'viewer')).label;
  });
  after(async () => {
    await running.stop();
    await test.close();
  });

  async function attempt(
    password: string,
  ): Promise<{ status: number; text: string; location: string | null }> {
    const response = await fetch(`${running.admin.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }),
    });
    return {
      status: response.status,
      text: await response.text(),
      location: response.headers.get('location'),
    };
  }

  it('20 wrong passwords from one IP: refused with 429 from the 6th on, the right password too, until the ban ends', async () => {
    const statuses: number[] = [];
    let banned = '';
    for (let index = 1; index <= 20; index++) {
      const result = await attempt(`wrong password number ${index}`);
      statuses.push(result.status);
      if (result.status === 429) banned = result.text;
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, ...Array(15).fill(429)]);
    assert.match(banned, /until \d{4}-\d{2}-\d{2}/, 'the page says until when');

    const rightDuringBan = await attempt(testPassword);
    assert.equal(rightDuringBan.status, 429, 'the right password is refused during the ban');

    const bans = await listBans(accessDepsOf(test.roost), localActor(test.clock), { active: true });
    assert.deepEqual(bans.map((ban) => ban.subjectKind).sort(), ['account', 'ip']);
    const events = await test.roost.audit.list({ action: 'ban.' });
    assert.ok(
      events.some((event) => event.action === 'ban.create'),
      'the ban is in the audit trail',
    );

    const end = Math.max(...bans.map((ban) => ban.expiresAt.getTime()));
    test.clock.set(new Date(end + 1_000));
    const afterBan = await attempt(testPassword);
    assert.equal(afterBan.status, 303, 'the ban lifted when it expired');
    assert.ok(afterBan.location);
  });
});
