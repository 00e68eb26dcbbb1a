import { DateTime } from 'luxon';

/** Seconds in each state during one bucket (see the status UptimeSource port). */
export interface StateSeconds {
  start: Date;
  end: Date;
  operational: number;
  degraded: number;
  partial: number;
  major: number;
}

/**
 * How much of each state counts as downtime: a major outage fully, a partial outage (some of an
 * instance's monitors down) 30%, degraded performance not at all; Statuspage weighs the same way.
 */
export const slaWeights = { operational: 0, degraded: 0, partial: 0.3, major: 1 } as const;

export interface SlaInput {
  /** `YYYY-MM`, read in `timeZone`: the month starts at local midnight on the 1st. */
  month: string;
  timeZone: string;
  /** Percent, 99 by default (R26). */
  target: number;
  buckets: readonly StateSeconds[];
  /** Windows excluded from the measured time (R26: maintenance does not count). */
  excluded: ReadonlyArray<{ start: Date; end: Date }>;
}

export interface SlaResult {
  month: string;
  from: Date;
  to: Date;
  target: number;
  /** The month's length: 30 days, or ±1 hour across a DST change. */
  periodSeconds: number;
  /** Maintenance inside the month, overlaps merged. */
  excludedSeconds: number;
  /** Seconds with check data, outside maintenance. */
  measuredSeconds: number;
  /** Weighted downtime outside maintenance. */
  downtimeSeconds: number;
  /** What the target allows over the month's time outside maintenance. */
  allowedDowntimeSeconds: number;
  /** Percent up over the measured time; null without data. */
  uptime: number | null;
  /** Share of the time outside maintenance with data, percent. */
  coverage: number;
  met: boolean | null;
}

export function monthBounds(month: string, timeZone: string): { from: Date; to: Date } {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  const start = match
    ? DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: 1 }, { zone: timeZone })
    : undefined;
  if (!start?.isValid || Number(match?.[2]) < 1 || Number(match?.[2]) > 12)
    throw new RangeError(`not a month: ${month} (expected YYYY-MM)`);
  return { from: start.toJSDate(), to: start.plus({ months: 1 }).toJSDate() };
}

/** Sorted, merged, clipped to [from, to). */
function mergeWindows(windows: SlaInput['excluded'], from: number, to: number): Array<[number, number]> {
  const clipped = windows
    .map((window): [number, number] => [
      Math.max(from, window.start.getTime()),
      Math.min(to, window.end.getTime()),
    ])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const window of clipped) {
    const last = merged.at(-1);
    if (last && window[0] <= last[1]) last[1] = Math.max(last[1], window[1]);
    else merged.push([...window]);
  }
  return merged;
}

const overlap = (start: number, end: number, windows: Array<[number, number]>) =>
  windows.reduce((total, [from, to]) => total + Math.max(0, Math.min(end, to) - Math.max(start, from)), 0);

/**
 * Monthly uptime of an instance (R26) from check roll-ups: each bucket counts for the share of it inside
 * the month and outside maintenance, downtime weighted by state. Without any data the result says so
 * (uptime and met are null) rather than claiming 100%.
 */
export function computeSla(input: SlaInput): SlaResult {
  const { from, to } = monthBounds(input.month, input.timeZone);
  const start = from.getTime();
  const end = to.getTime();
  const windows = mergeWindows(input.excluded, start, end);
  const excludedMs = windows.reduce((total, [a, b]) => total + (b - a), 0);
  let measured = 0;
  let downtime = 0;
  for (const bucket of input.buckets) {
    const bucketStart = bucket.start.getTime();
    const bucketEnd = bucket.end.getTime();
    const length = bucketEnd - bucketStart;
    if (length <= 0) continue;
    const inside = Math.max(0, Math.min(end, bucketEnd) - Math.max(start, bucketStart));
    const counted =
      (inside - overlap(Math.max(start, bucketStart), Math.min(end, bucketEnd), windows)) / length;
    if (counted <= 0) continue;
    measured += counted * (bucket.operational + bucket.degraded + bucket.partial + bucket.major);
    downtime += counted * (bucket.partial * slaWeights.partial + bucket.major * slaWeights.major);
  }
  const periodSeconds = (end - start) / 1000;
  const excludedSeconds = excludedMs / 1000;
  const outside = periodSeconds - excludedSeconds;
  const uptime = measured > 0 ? (100 * (measured - downtime)) / measured : null;
  return {
    month: input.month,
    from,
    to,
    target: input.target,
    periodSeconds,
    excludedSeconds,
    measuredSeconds: measured,
    downtimeSeconds: downtime,
    allowedDowntimeSeconds: (outside * (100 - input.target)) / 100,
    uptime,
    coverage: outside > 0 ? (100 * measured) / outside : 0,
    met: uptime === null ? null : uptime >= input.target,
  };
}
