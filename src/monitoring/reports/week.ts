import { DateTime } from 'luxon';
import { RoostError } from '../../core/errors.ts';

/** An ISO week (`2026-W47`) read in a time zone: Monday 00:00 to the next Monday 00:00 there. */
export interface Week {
  label: string;
  from: number;
  to: number;
}

const weekPattern = /^(\d{4})-W(\d{2})$/;

export function weekRange(label: string, timeZone: string): Week {
  const match = weekPattern.exec(label);
  const start = match
    ? DateTime.fromObject(
        { weekYear: Number(match[1]), weekNumber: Number(match[2]), weekday: 1 },
        { zone: timeZone },
      ).startOf('day')
    : null;
  if (!start?.isValid || start.toFormat("kkkk-'W'WW") !== label)
    throw new RoostError(
      'invalid_input',
      `week: expected an ISO week such as 2026-W47, got ${JSON.stringify(label)}`,
      {
        field: 'week',
      },
    );
  return { label, from: start.toMillis(), to: start.plus({ weeks: 1 }).toMillis() };
}

/** The week holding `at`. */
export function weekOf(at: number, timeZone: string): Week {
  return weekRange(DateTime.fromMillis(at, { zone: timeZone }).toFormat("kkkk-'W'WW"), timeZone);
}

/** The last complete week before `at` (what a Monday-morning report covers). */
export function weekBefore(at: number, timeZone: string): Week {
  const current = weekOf(at, timeZone);
  return weekOf(current.from - 1, timeZone);
}

/** Local midnights of the week's days (7, or the real boundaries across a DST change). */
export function daysOf(week: Week, timeZone: string): number[] {
  const start = DateTime.fromMillis(week.from, { zone: timeZone });
  return Array.from({ length: 7 }, (_, day) => start.plus({ days: day }).toMillis());
}
