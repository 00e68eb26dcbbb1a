import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { businessHoursOverlap, isBusinessHours, publicHolidayOn, routeAt } from './business-hours.ts';

describe('business hours (Europe/Paris, French holidays)', () => {
  it('routes a Tuesday morning to support and nights and weekends to on-call', () => {
    assert.equal(routeAt(new Date('2026-03-10T09:00:00Z')), 'support'); // Tue 10:00 Paris (CET)
    assert.equal(routeAt(new Date('2026-03-10T07:59:00Z')), 'oncall'); // Tue 08:59 Paris
    assert.equal(routeAt(new Date('2026-03-10T16:59:00Z')), 'support'); // Tue 17:59
    assert.equal(routeAt(new Date('2026-03-10T17:00:00Z')), 'oncall'); // Tue 18:00
    assert.equal(routeAt(new Date('2026-03-14T02:00:00Z')), 'oncall'); // Sat 03:00
  });

  it('treats French public holidays as non-working days', () => {
    const bastilleDay = new Date('2026-07-14T08:00:00Z'); // Tue 10:00 Paris (CEST)
    assert.match(publicHolidayOn(bastilleDay) ?? '', /Nationale/);
    assert.equal(isBusinessHours(bastilleDay), false);
    assert.equal(routeAt(new Date('2026-07-15T08:00:00Z')), 'support');
  });

  it('follows the local clock across the DST change', () => {
    // 2026-03-30 (Monday after spring forward): 09:00 Paris is 07:00Z.
    assert.equal(routeAt(new Date('2026-03-30T07:00:00Z')), 'support');
    assert.equal(routeAt(new Date('2026-03-27T07:00:00Z')), 'oncall'); // Fri 08:00 Paris (CET)
  });
});

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
