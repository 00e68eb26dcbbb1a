import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningRoost } from '../src/main.ts';
import { serveTestRoost, startTestRoost, type TestRoost, tokenFor, userWithRole } from './fixtures/roost.ts';

describe('API tokens over HTTP', () => {
  let test: TestRoost;
  let running: RunningRoost;
  before(async () => {
    test = await startTestRoost();
    running = await serveTestRoost(test);
  });
  after(async () => {
    await running.stop();
    await test.close();
  });

  it('a token revoked through the server stops working at once, cache or not', async () => {
    const admin = await userWithRole(test.roost, 'admin');
    const adminToken = await tokenFor(test.roost, admin);
    const victim = await tokenFor(test.roost, await userWithRole(test.roost, 'viewer'));
    const me = (token: string) =>
      fetch(`${running.admin.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me(victim)).status, 200);
    assert.equal((await me(victim)).status, 200, 'served from the cache');
    const { tokens } = (await (
      await fetch(`${running.admin.url}/api/v1/tokens?all=true`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json()) as { tokens: { id: string; userId: string }[] };
    const victimRecord = tokens.find((token) => token.userId !== admin.id);
    assert.ok(victimRecord);
    const revoked = await fetch(`${running.admin.url}/api/v1/tokens/${victimRecord.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(revoked.status, 200);
    assert.equal((await me(victim)).status, 401);
    const audit = await test.roost.audit.list({ action: 'token.revoke' });
    assert.equal(audit[0]?.target, victimRecord.id);
  });

  it('a token never appears in logs or in the database', async () => {
    const token = await tokenFor(test.roost, await userWithRole(test.roost, 'operator'));
    await fetch(`${running.admin.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(!test.logs().includes(token));
    const rows = await test.roost.store.db.selectFrom('api_tokens').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(token));
  });
});
