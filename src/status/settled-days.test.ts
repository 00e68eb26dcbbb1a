import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UptimeBucket, UptimeSource } from './ports.ts';
import { rememberSettledDays } from './settled-days.ts';

const day = 86_400_000;

/** A source that answers one bucket per day in the range and records every range it was asked for. */
function countingSource() {
  const asked: Array<[string, string, string]> = [];
  const source: UptimeSource = {
    async buckets(_monitors, from, to, size) {
      asked.push([from.toISOString(), to.toISOString(), size]);
      const buckets: UptimeBucket[] = [];
      for (let start = from.getTime(); start < to.getTime(); start += day)
        buckets.push({
          start: new Date(start),
          end: new Date(start + day),
          operational: 1,
          degraded: 0,
          partial: 0,
          major: 0,
        });
      return buckets;
    },
  };
  return { asked, source };
}

describe('remembered settled days', () => {
  const from = new Date('2026-11-01T00:00:00Z');

  it('reads the past days once and the unsettled ones every time, with the same buckets as the source', async () => {
    const { asked, source } = countingSource();
    const at = rememberSettledDays(source);
    const now = new Date('2026-11-20T10:00:00Z');
    const direct = await countingSource().source.buckets(['m1'], from, now, 'day');
    assert.deepEqual(await at(now).buckets(['m1'], from, now, 'day'), direct);
    assert.deepEqual(await at(now).buckets(['m1'], from, now, 'day'), direct);
    assert.deepEqual(asked, [
      ['2026-11-01T00:00:00.000Z', '2026-11-20T00:00:00.000Z', 'day'],
      ['2026-11-20T00:00:00.000Z', '2026-11-20T10:00:00.000Z', 'day'],
      ['2026-11-20T00:00:00.000Z', '2026-11-20T10:00:00.000Z', 'day'],
    ]);
    // Another monitor set is another memory.
    await at(now).buckets(['m2'], from, now, 'day');
    assert.equal(asked.length, 5);
  });

  it('keeps reading yesterday for ten minutes after midnight, then starts its memory again', async () => {
    const { asked, source } = countingSource();
    const at = rememberSettledDays(source);
    const early = new Date('2026-11-21T00:05:00Z');
    await at(early).buckets(['m1'], from, early, 'day');
    assert.deepEqual(asked.at(-1), ['2026-11-20T00:00:00.000Z', '2026-11-21T00:05:00.000Z', 'day']);
    const later = new Date('2026-11-21T00:15:00Z');
    await at(later).buckets(['m1'], from, later, 'day');
    assert.deepEqual(asked.slice(-2), [
      ['2026-11-01T00:00:00.000Z', '2026-11-21T00:00:00.000Z', 'day'],
      ['2026-11-21T00:00:00.000Z', '2026-11-21T00:15:00.000Z', 'day'],
    ]);
  });

  it('passes minute buckets through, and forgets a read that failed', async () => {
    const { asked, source } = countingSource();
    let fail = true;
    const flaky: UptimeSource = {
      buckets: async (...args) => {
        if (fail && args[3] === 'day' && args[2].getTime() % day === 0) throw new Error('store away');
        return source.buckets(...args);
      },
    };
    const at = rememberSettledDays(flaky);
    const now = new Date('2026-11-20T10:00:00Z');
    await at(now).buckets(['m1'], from, now, 'minute');
    assert.deepEqual(asked.at(-1), [from.toISOString(), now.toISOString(), 'minute']);
    await assert.rejects(at(now).buckets(['m1'], from, now, 'day'), /store away/);
    fail = false;
    assert.equal((await at(now).buckets(['m1'], from, now, 'day')).length, 20);
  });
});
