import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { subscribersLifecycle } from './index.ts';
import { openStatusDeps } from './test-fixture.ts';

describeEachDialect('status page subscribers at decommission', (use) => {
  it("erases the instance's subscribers, pending ones and deliveries, and keeps other pages'", async (t) => {
    const deps = await openStatusDeps(await use(t));
    if (!deps) return;
    const gone = await deps.addInstance('umbrella-prod', 'Umbrella');
    const kept = await deps.addInstance('umbrella-staging', 'Umbrella');
    const subscriber = async (id: string, instanceId: string, email: string, confirmed: boolean) =>
      deps.store.db
        .insertInto('status_subscribers')
        .values({
          id,
          instance_id: instanceId,
          email,
          components: '[]',
          confirmed_at: confirmed ? 1 : null,
          created_at: 1,
        })
        .execute();
    await subscriber('sub_confirmed', gone, 'ada@example.com', true);
    await subscriber('sub_pending', gone, 'bob@example.com', false);
    await subscriber('sub_other', kept, 'ada@example.com', true);
    for (const [entry, subscriberId] of [
      ['tle_a', 'sub_confirmed'],
      ['mnt_b:72h', 'sub_confirmed'],
      ['tle_a', 'sub_other'],
    ])
      await deps.store.db
        .insertInto('status_deliveries')
        .values({ entry_id: entry as string, subscriber_id: subscriberId as string, sent_at: 1 })
        .execute();

    const erased = await subscribersLifecycle(deps.store).erase?.({ id: gone } as never);
    assert.deepEqual(erased?.items, [
      '1 confirmed status page subscriber(s)',
      '1 subscription request(s) awaiting confirmation',
      '2 subscriber delivery record(s)',
    ]);
    const left = await deps.store.db.selectFrom('status_subscribers').select('id').execute();
    assert.deepEqual(
      left.map((row) => row.id),
      ['sub_other'],
    );
    const deliveries = await deps.store.db.selectFrom('status_deliveries').select('subscriber_id').execute();
    assert.deepEqual(
      deliveries.map((row) => row.subscriber_id),
      ['sub_other'],
    );
    // A retried job erases nothing more and says so.
    assert.deepEqual((await subscribersLifecycle(deps.store).erase?.({ id: gone } as never))?.items, [
      '0 confirmed status page subscriber(s)',
      '0 subscription request(s) awaiting confirmation',
      '0 subscriber delivery record(s)',
    ]);
  });
});
