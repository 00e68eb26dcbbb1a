import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/** When the support team answers: a daily window on working days, in one time zone. */
export interface BusinessHours {
  timeZone: string;
  /** `HH:MM`, local time, inclusive. */
  start: string;
  /** `HH:MM`, local time, exclusive. */
  end: string;
  /** ISO country whose public holidays are not working days (date-holidays). */
  country: string;
}

/** R13: support 9:00–18:00 Paris on working days; nights, weekends and French public holidays go to on-call. */
export const parisSupportHours: BusinessHours = {
  timeZone: 'Europe/Paris',
  start: '09:00',
  end: '18:00',
  country: 'FR',
};

const calendars = new Map<string, Holidays>();

function calendar(country: string): Holidays {
  let found = calendars.get(country);
  if (!found) {
    found = new Holidays(country);
    calendars.set(country, found);
  }
  return found;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** A public holiday of the country on the local date of `at` (observances and bank holidays do not count). */
export function publicHolidayOn(at: Date, hours: BusinessHours = parisSupportHours): string | null {
  const local = DateTime.fromJSDate(at, { zone: hours.timeZone });
  // Noon of the local date: date-holidays compares in the country's own zone.
  const noon = local.set({ hour: 12, minute: 0, second: 0, millisecond: 0 }).toJSDate();
  const found = calendar(hours.country).isHoliday(noon);
  const holiday = found ? found.find((entry) => entry.type === 'public') : undefined;
  return holiday ? holiday.name : null;
}

export function isWorkingDay(at: Date, hours: BusinessHours = parisSupportHours): boolean {
  const local = DateTime.fromJSDate(at, { zone: hours.timeZone });
  if (local.weekday >= 6) return false;
  return publicHolidayOn(at, hours) === null;
}

export function isBusinessHours(at: Date, hours: BusinessHours = parisSupportHours): boolean {
  if (!isWorkingDay(at, hours)) return false;
  const local = DateTime.fromJSDate(at, { zone: hours.timeZone });
  const minute = local.hour * 60 + local.minute;
  return minute >= minutesOf(hours.start) && minute < minutesOf(hours.end);
}

export type AlertRoute = 'support' | 'oncall';

/** Who an alert goes to at a given moment. */
export function routeAt(at: Date, hours: BusinessHours = parisSupportHours): AlertRoute {
  return isBusinessHours(at, hours) ? 'support' : 'oncall';
}

export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/**
 * The business-hour stretches a window [start, end) overlaps; empty when the window lies wholly outside
 * business hours (maintenance planning, R26). Local days are walked one by one, so DST days need no care.
 */
export function businessHoursOverlap(
  start: Date,
  end: Date,
  hours: BusinessHours = parisSupportHours,
): Array<{ start: Date; end: Date }> {
  const overlaps: Array<{ start: Date; end: Date }> = [];
  if (end <= start) return overlaps;
  let day = DateTime.fromJSDate(start, { zone: hours.timeZone }).startOf('day');
  const last = DateTime.fromJSDate(end, { zone: hours.timeZone });
  const at = (clock: string) => {
    const minutes = minutesOf(clock);
    return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toJSDate();
  };
  // Bounded: a window longer than a year is refused by its operation before it gets here.
  for (let guard = 0; day <= last && guard < 400; guard++, day = day.plus({ days: 1 })) {
    if (!isWorkingDay(day.set({ hour: 12 }).toJSDate(), hours)) continue;
    const from = new Date(Math.max(at(hours.start).getTime(), start.getTime()));
    const to = new Date(Math.min(at(hours.end).getTime(), end.getTime()));
    if (from < to) overlaps.push({ start: from, end: to });
  }
  return overlaps;
}
