import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escalationLevelAt } from './escalation.ts';
import { onCallAt, type Rotation, rotationCalendar, shiftsBetween } from './rotation.ts';

const weekly: Rotation = {
  timeZone: 'Europe/Paris',
  layers: [
    { name: 'primary', users: ['ana', 'bo', 'cy'], every: 'day', length: 1, handoff: '2026-03-23T09:00' },
  ],
  overrides: [],
};

describe('on-call rotation', () => {
  it('hands off at 09:00 local time, before and after the DST change', () => {
    // Saturday 28 March 09:00 CET = 08:00Z; Sunday 29 March 09:00 CEST = 07:00Z.
    assert.equal(onCallAt(weekly, Date.parse('2026-03-28T07:59:00Z'))?.user, 'bo'); // Fri's turn (index 4)
    assert.equal(onCallAt(weekly, Date.parse('2026-03-28T08:00:00Z'))?.user, 'cy'); // Sat 09:00 CET
    // The night of the change: 02:00 → 03:00. Still Saturday's turn until 09:00 CEST (07:00Z).
    assert.equal(onCallAt(weekly, Date.parse('2026-03-29T01:30:00Z'))?.user, 'cy');
    const sunday = onCallAt(weekly, Date.parse('2026-03-29T07:00:00Z'));
    assert.equal(sunday?.user, 'ana');
    assert.equal(sunday?.start, Date.parse('2026-03-29T07:00:00Z'));
    const saturdayShift = onCallAt(weekly, Date.parse('2026-03-29T01:30:00Z'));
    assert.equal((saturdayShift?.end ?? 0) - (saturdayShift?.start ?? 0), 23 * 3_600_000, 'a 23-hour night');
  });

  it('lets an override win and shows it in the calendar', () => {
    const from = Date.parse('2026-03-24T20:00:00Z');
    const rotation: Rotation = { ...weekly, overrides: [{ user: 'dee', from, until: from + 4 * 3_600_000 }] };
    assert.equal(onCallAt(rotation, from + 3_600_000)?.user, 'dee');
    const shifts = shiftsBetween(
      rotation,
      Date.parse('2026-03-24T08:00:00Z'),
      Date.parse('2026-03-26T08:00:00Z'),
    );
    assert.deepEqual(
      shifts.map((shift) => shift.user),
      ['bo', 'dee', 'bo', 'cy'],
    );
    const ics = rotationCalendar('Primary', 'sch_1', shifts, from);
    assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
    assert.equal(ics.match(/BEGIN:VEVENT/g)?.length, 4);
    assert.match(ics, /DTSTART:20260324T200000Z/);
  });

  it('escalates level 1 → 2 → 3 on timeouts in real minutes', () => {
    const levels = [
      { scheduleId: 'a', timeoutMinutes: 15 },
      { scheduleId: 'b', timeoutMinutes: 30 },
      { scheduleId: 'c', timeoutMinutes: 60 },
    ];
    const fired = 0;
    assert.equal(escalationLevelAt(fired, 14 * 60_000, levels), 1);
    assert.equal(escalationLevelAt(fired, 15 * 60_000, levels), 2);
    assert.equal(escalationLevelAt(fired, 44 * 60_000, levels), 2);
    assert.equal(escalationLevelAt(fired, 45 * 60_000, levels), 3);
    assert.equal(escalationLevelAt(fired, 1e9, levels), 3);
  });
});
