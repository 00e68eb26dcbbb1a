import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../../test/fixtures/store.ts';
import { ManualClock } from '../core/clock.ts';
import { openStore } from '../store/index.ts';
import { createJobs } from './index.ts';

const timeZone = 'Europe/Paris';
const options = { timeZone, leaseSeconds: 30, tickIntervalMs: 60_000 };
const parisTime = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
const atParis = (runs: string[] | undefined, hourMinute: string) =>
  (runs ?? []).filter((iso) => parisTime.format(new Date(iso)) === hourMinute);

test('an invalid cron expression or time zone is invalid_input with a one-line message', async () => {
  const { parseCron } = await import('./cron.ts');
  for (const [expression, zone, message] of [
    ['every day', timeZone, /^invalid cron expression "every day": /],
    ['61 * * * *', timeZone, /^invalid cron expression "61 \* \* \* \*": /],
    ['0 0 30 2 *', timeZone, /^cron expression "0 0 30 2 \*" never runs$/],
    ['0 9 * * *', 'Mars/Olympus', /^invalid time zone "Mars\/Olympus": expected an IANA name/],
  ] as const) {
    assert.throws(
      () => parseCron(expression, zone),
      (error: Error & { code?: string }) =>
        error.code === 'invalid_input' && message.test(error.message) && !error.message.includes('\n'),
    );
  }
});

describeEachDialect('cron schedules', (use, dialect) => {
  /** Ticks every 15 minutes from `from` to `to` and returns the scheduled run times per schedule. */
  async function runsAcross(store: Parameters<typeof createJobs>[0]['store'], from: string, to: string) {
    const clock = new ManualClock(from);
    const jobs = createJobs({ store, clock }, options);
    await jobs.schedule({ name: 'backup', cron: '30 2 * * *', queue: 'cron' });
    await jobs.schedule({ name: 'report', cron: '0 9 * * *', queue: 'cron' });
    await jobs.schedule({ name: 'hourly', cron: '30 * * * *', queue: 'cron' });
    for (let now = clock.now().getTime(); now <= new Date(to).getTime(); now += 15 * 60_000) {
      clock.set(new Date(now));
      await jobs.tick();
    }
    const runs: Record<string, string[]> = { backup: [], report: [], hourly: [] };
    for (const job of (await jobs.list({ queue: 'cron', limit: 1_000 })).reverse()) {
      const [name, iso] = (job.key ?? '').split('@') as [string, string];
      assert.equal(job.runAt.toISOString(), iso, 'the key names the scheduled time');
      runs[name]?.push(iso.replace(':00.000Z', 'Z'));
    }
    return runs;
  }

  test('spring forward (Europe/Paris, 2026-03-29 02:00 → 03:00)', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const runs = await runsAcross(opened.store, '2026-03-28T00:00:00Z', '2026-03-30T12:00:00Z');
    // 02:30 does not exist on the 29th: the daily run happens once, at 03:00 CEST, neither lost nor doubled.
    assert.deepEqual(runs.backup, ['2026-03-28T01:30Z', '2026-03-29T01:00Z', '2026-03-30T00:30Z']);
    // 09:00 local on both sides: 08:00Z in CET, 07:00Z in CEST.
    assert.deepEqual(runs.report, ['2026-03-28T08:00Z', '2026-03-29T07:00Z', '2026-03-30T07:00Z']);
    assert.equal(atParis(runs.report, '09:00').length, 3);
    // An interval job skips the missing 02:30: 01:30 CET (00:30Z) is followed by 03:30 CEST (01:30Z).
    assert.deepEqual(runs.hourly?.slice(24, 27), [
      '2026-03-29T00:30Z',
      '2026-03-29T01:30Z',
      '2026-03-29T02:30Z',
    ]);
    assert.equal(atParis(runs.hourly, '02:30').length, 2, 'on the 28th and the 30th, not on the 29th');
    assert.equal(
      runs.hourly?.length,
      60,
      'still one run per real hour, 00:30Z on the 28th to 11:30Z on the 30th',
    );
  });

  test('fall back (Europe/Paris, 2026-10-25 03:00 → 02:00)', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const runs = await runsAcross(opened.store, '2026-10-24T00:00:00Z', '2026-10-26T12:00:00Z');
    // 02:30 happens twice on the 25th (CEST then CET): the daily run happens once, at the first.
    assert.deepEqual(runs.backup, ['2026-10-24T00:30Z', '2026-10-25T00:30Z', '2026-10-26T01:30Z']);
    // 09:00 local on both sides: 07:00Z in CEST, 08:00Z in CET.
    assert.deepEqual(runs.report, ['2026-10-24T07:00Z', '2026-10-25T08:00Z', '2026-10-26T08:00Z']);
    assert.equal(atParis(runs.report, '09:00').length, 3);
    // An interval job runs in both 02:30s (00:30Z CEST and 01:30Z CET), every real hour.
    assert.deepEqual(runs.hourly?.slice(24, 27), [
      '2026-10-25T00:30Z',
      '2026-10-25T01:30Z',
      '2026-10-25T02:30Z',
    ]);
    assert.equal(atParis(runs.hourly, '02:30').length, 4, 'once on the 24th and 26th, twice on the 25th');
    assert.equal(runs.hourly?.length, 60, 'one run per real hour, 00:30Z on the 24th to 11:30Z on the 26th');
  });

  test('two processes ticking at the same time enqueue each run once', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T10:00:00Z');
    const other = await openStore({ databaseUrl: opened.url, dataDir: opened.directory });
    t.after(() => other.close());
    const first = createJobs({ store: opened.store, clock }, options);
    const second = createJobs({ store: other, clock }, options);
    await first.schedule({ name: 'probe', cron: '*/5 * * * *', queue: 'probes', payload: { target: 'api' } });
    for (let step = 1; step <= 6; step++) {
      clock.advance(5 * 60_000);
      // Two node:sqlite connections in one thread would wait on each other; processes do not.
      if (dialect === 'postgres') await Promise.all([first.tick(), second.tick()]);
      else for (const jobs of [second, first]) await jobs.tick();
    }
    const runs = await first.list({ queue: 'probes' });
    assert.equal(runs.length, 6);
    assert.equal(new Set(runs.map((job) => job.key)).size, 6);
    assert.deepEqual(runs[0]?.payload, { target: 'api' });
  });

  test('re-declaring an unchanged schedule keeps a due run; changing it reschedules', async (t) => {
    const opened = await use(t);
    if (!opened) return;
    const clock = new ManualClock('2026-06-01T05:00:00Z');
    const jobs = createJobs({ store: opened.store, clock }, options);
    await jobs.schedule({ name: 'report', cron: '0 9 * * *', queue: 'cron' });
    clock.set('2026-06-02T12:00:00Z'); // no process ran at 09:00 (07:00Z) on the 1st nor on the 2nd
    await jobs.schedule({ name: 'report', cron: '0 9 * * *', queue: 'cron' });
    await jobs.tick();
    assert.deepEqual(
      (await jobs.list({ queue: 'cron' })).map((job) => job.key),
      ['report@2026-06-01T07:00:00.000Z'],
      'missed runs collapse into one, for the earliest missed time',
    );
    await jobs.schedule({ name: 'report', cron: '0 18 * * *', queue: 'cron', timeZone: 'America/New_York' });
    const row = await opened.store.db.selectFrom('job_schedules').selectAll().executeTakeFirstOrThrow();
    assert.equal(new Date(Number(row.next_run_at)).toISOString(), '2026-06-02T22:00:00.000Z');
    await assert.rejects(jobs.schedule({ name: 'bad', cron: '* * *', queue: 'cron' }), {
      code: 'invalid_input',
    });
  });
});
