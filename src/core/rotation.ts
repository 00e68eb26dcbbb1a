import { DateTime } from 'luxon';

/** One rotation: people take turns, each for `length` days/weeks/hours, starting at the hand-off. */
export interface RotationLayer {
  name: string;
  users: string[];
  every: 'day' | 'week' | 'hours';
  /** Number of `every` units a turn lasts (1 day, 1 week, 12 hours…). */
  length: number;
  /** First hand-off, local time of the schedule's zone: `2026-03-02T09:00`. */
  handoff: string;
}

export interface RotationOverride {
  user: string;
  /** Epoch ms. */
  from: number;
  until: number;
}

export interface Rotation {
  timeZone: string;
  /** Later layers win where they are active (a weekend layer over the weekday one). */
  layers: RotationLayer[];
  overrides: RotationOverride[];
}

export interface Shift {
  user: string;
  layer: string;
  start: number;
  end: number;
}

/** The turn of a layer covering `at`; hand-offs follow local time, so a 09:00 hand-off stays 09:00 across DST. */
function shiftOf(layer: RotationLayer, timeZone: string, at: number): Shift | null {
  if (layer.users.length === 0) return null;
  const start = DateTime.fromISO(layer.handoff, { zone: timeZone });
  const local = DateTime.fromMillis(at, { zone: timeZone });
  if (!start.isValid || local < start) return null;
  let index: number;
  const step = (k: number) =>
    layer.every === 'hours'
      ? start.plus({ hours: k * layer.length })
      : start.plus(layer.every === 'day' ? { days: k * layer.length } : { weeks: k * layer.length });
  if (layer.every === 'hours') {
    index = Math.floor((at - start.toMillis()) / (layer.length * 3_600_000));
  } else {
    const unit = layer.every === 'day' ? 'days' : 'weeks';
    index = Math.floor(local.diff(start, unit).as(unit) / layer.length);
    // Calendar arithmetic can land one step off around a DST jump: settle on the turn that contains `at`.
    while (index > 0 && step(index).toMillis() > at) index -= 1;
    while (step(index + 1).toMillis() <= at) index += 1;
  }
  const user = layer.users[index % layer.users.length] as string;
  return { user, layer: layer.name, start: step(index).toMillis(), end: step(index + 1).toMillis() };
}

/** Who is on call at `at`: an override first, else the last layer that covers the moment. */
export function onCallAt(rotation: Rotation, at: number): Shift | null {
  const override = rotation.overrides.find((entry) => entry.from <= at && at < entry.until);
  if (override) return { user: override.user, layer: 'override', start: override.from, end: override.until };
  for (let i = rotation.layers.length - 1; i >= 0; i--) {
    const shift = shiftOf(rotation.layers[i] as RotationLayer, rotation.timeZone, at);
    if (shift) return shift;
  }
  return null;
}

/** The successive shifts between two moments, for calendars; bounded to `limit` entries. */
export function shiftsBetween(rotation: Rotation, from: number, until: number, limit = 500): Shift[] {
  const shifts: Shift[] = [];
  let at = from;
  while (at < until && shifts.length < limit) {
    const shift = onCallAt(rotation, at);
    if (!shift) {
      at += 3_600_000;
      continue;
    }
    const nextOverride = rotation.overrides
      .filter((entry) => entry.from > at && entry.from < shift.end)
      .reduce((min, entry) => Math.min(min, entry.from), Number.POSITIVE_INFINITY);
    const end = Math.min(shift.end, nextOverride, until);
    shifts.push({ ...shift, start: Math.max(shift.start, at), end });
    at = end;
  }
  return shifts;
}

function icsTime(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

function icsText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
}

/** An iCalendar (RFC 5545) feed of the shifts, one event each, times in UTC. */
export function rotationCalendar(name: string, id: string, shifts: readonly Shift[], now: number): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Roost//On-call//EN',
    `X-WR-CALNAME:${icsText(name)}`,
  ];
  for (const shift of shifts) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${id}-${shift.start}@roost`,
      `DTSTAMP:${icsTime(now)}`,
      `DTSTART:${icsTime(shift.start)}`,
      `DTEND:${icsTime(shift.end)}`,
      `SUMMARY:${icsText(`On call: ${shift.user}`)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}
