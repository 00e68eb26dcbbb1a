import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBusinessHours, publicHolidayOn, routeAt } from './business-hours.ts';

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
