import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { businessHoursOverlap } from './business-hours.ts';

const overlap = (start: string, end: string) =>
  businessHoursOverlap(new Date(start), new Date(end)).map((range) => [
    range.start.toISOString(),
    range.end.toISOString(),
  ]);

describe('business hours (9:00–18:00 Paris, working days, French public holidays)', () => {
  it('finds nothing at night, on weekends and on public holidays', () => {
    assert.deepEqual(overlap('2026-11-24T21:00:00Z', '2026-11-25T05:00:00Z'), []); // Tuesday night, winter time
    assert.deepEqual(overlap('2026-11-28T09:00:00Z', '2026-11-29T17:00:00Z'), []); // a weekend
    assert.deepEqual(overlap('2026-12-25T09:00:00Z', '2026-12-25T15:00:00Z'), []); // Christmas, a Friday
    assert.deepEqual(overlap('2026-07-14T08:00:00Z', '2026-07-14T12:00:00Z'), []); // Bastille Day
  });

  it('finds the overlap in local time, in winter and in summer', () => {
    // 9:00 Paris is 08:00 UTC in winter and 07:00 UTC in summer.
    assert.deepEqual(overlap('2026-11-24T07:00:00Z', '2026-11-24T09:00:00Z'), [
      ['2026-11-24T08:00:00.000Z', '2026-11-24T09:00:00.000Z'],
    ]);
    assert.deepEqual(overlap('2026-06-23T06:00:00Z', '2026-06-23T08:00:00Z'), [
      ['2026-06-23T07:00:00.000Z', '2026-06-23T08:00:00.000Z'],
    ]);
    // 17:30–18:30 Paris on a Monday: half an hour inside.
    assert.deepEqual(overlap('2026-11-23T16:30:00Z', '2026-11-23T17:30:00Z'), [
      ['2026-11-23T16:30:00.000Z', '2026-11-23T17:00:00.000Z'],
    ]);
  });

  it('spans several days and skips the holiday inside', () => {
    // Thursday 31 December 2026 to Monday 4 January 2027: New Year's Day off, the weekend off.
    const ranges = overlap('2026-12-31T00:00:00Z', '2027-01-04T23:00:00Z');
    assert.deepEqual(
      ranges.map(([start]) => start?.slice(0, 10)),
      ['2026-12-31', '2027-01-04'],
    );
  });
});
