import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/** Working hours of the policy (R26): 9:00–18:00 Paris time, Monday to Friday, French public holidays off. */
export interface BusinessHours {
  timeZone: string;
  /** Hour the day starts and ends, local time. */
  open: number;
  close: number;
  /** ISO country (and optional region) whose public holidays are days off. */
  country: string;
}

export const defaultBusinessHours: BusinessHours = {
  timeZone: 'Europe/Paris',
  open: 9,
  close: 18,
  country: 'FR',
};

const calendars = new Map<string, Holidays>();

function publicHolidays(country: string): Holidays {
  let calendar = calendars.get(country);
  if (!calendar) {
    calendar = new Holidays(country);
    calendars.set(country, calendar);
  }
  return calendar;
}

/** A public holiday (`public` type only: observances and optional days are working days) on that local date. */
export function isPublicHoliday(day: DateTime, hours: BusinessHours = defaultBusinessHours): boolean {
  const found = publicHolidays(hours.country).isHoliday(day.set({ hour: 12 }).toJSDate());
  return Array.isArray(found) && found.some((holiday) => holiday.type === 'public');
}

export function isWorkingDay(day: DateTime, hours: BusinessHours = defaultBusinessHours): boolean {
  return day.weekday <= 5 && !isPublicHoliday(day, hours);
}

/**
 * The business-hour stretches a window [start, end) overlaps, in the policy's time zone; empty when the
 * window lies wholly outside business hours. Local days are walked one by one, so DST days need no care.
 */
export function businessHoursOverlap(
  start: Date,
  end: Date,
  hours: BusinessHours = defaultBusinessHours,
): Array<{ start: Date; end: Date }> {
  const overlaps: Array<{ start: Date; end: Date }> = [];
  if (end <= start) return overlaps;
  let day = DateTime.fromJSDate(start, { zone: hours.timeZone }).startOf('day');
  const last = DateTime.fromJSDate(end, { zone: hours.timeZone });
  // Bounded: a window longer than a year is refused by its operation before it gets here.
  for (let guard = 0; day <= last && guard < 400; guard++, day = day.plus({ days: 1 })) {
    if (!isWorkingDay(day, hours)) continue;
    const opens = day.set({ hour: hours.open }).toJSDate();
    const closes = day.set({ hour: hours.close }).toJSDate();
    const from = new Date(Math.max(opens.getTime(), start.getTime()));
    const to = new Date(Math.min(closes.getTime(), end.getTime()));
    if (from < to) overlaps.push({ start: from, end: to });
  }
  return overlaps;
}
