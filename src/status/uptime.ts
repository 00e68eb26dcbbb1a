import type { ComponentStatus } from '../store/index.ts';
import type { UptimeBucket } from './ports.ts';

/**
 * How much of a state counts as downtime (documented in docs/status-pages.md): a major outage (every
 * monitor down) counts fully, a partial outage (some down) counts 30%, degraded performance not at all.
 * Statuspage weighs partial outages the same way.
 */
export const downtimeWeight = { operational: 0, degraded: 0, partial: 0.3, major: 1 } as const;

export interface UptimeTotals {
  /** Seconds with data. */
  measured: number;
  /** Weighted seconds of downtime. */
  downtime: number;
}

export function totalsOf(buckets: readonly UptimeBucket[]): UptimeTotals {
  let measured = 0;
  let downtime = 0;
  for (const bucket of buckets) {
    measured += bucket.operational + bucket.degraded + bucket.partial + bucket.major;
    downtime += bucket.partial * downtimeWeight.partial + bucket.major * downtimeWeight.major;
  }
  return { measured, downtime };
}

/** Percent available, or null without data. */
export function uptimePercent(totals: UptimeTotals): number | null {
  if (totals.measured <= 0) return null;
  return (100 * (totals.measured - totals.downtime)) / totals.measured;
}

export interface UptimeDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  uptime: number | null;
  /** The worst state seen that day; `no_data` without any. */
  worst: ComponentStatus | 'no_data';
  /** Weighted minutes of downtime. */
  downMinutes: number;
}

const dayMs = 86_400_000;

export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The 90 UTC days ending today, oldest first, each with its uptime from the day buckets. */
export function ninetyDays(buckets: readonly UptimeBucket[], now: Date, days = 90): UptimeDay[] {
  // By day number: a page rebuilt every second groups 90 days × its components here.
  const byDay = new Map<number, UptimeBucket[]>();
  for (const bucket of buckets) {
    const key = Math.floor(bucket.start.getTime() / dayMs);
    const list = byDay.get(key);
    if (list) list.push(bucket);
    else byDay.set(key, [bucket]);
  }
  const today = Math.floor(now.getTime() / dayMs);
  const result: UptimeDay[] = [];
  for (let index = days - 1; index >= 0; index--) {
    const list = byDay.get(today - index) ?? [];
    const totals = totalsOf(list);
    let degraded = 0;
    let partial = 0;
    let major = 0;
    for (const bucket of list) {
      degraded += bucket.degraded;
      partial += bucket.partial;
      major += bucket.major;
    }
    const worst: UptimeDay['worst'] =
      totals.measured === 0
        ? 'no_data'
        : major > 0
          ? 'major_outage'
          : partial > 0
            ? 'partial_outage'
            : degraded > 0
              ? 'degraded_performance'
              : 'operational';
    result.push({
      day: dayOf(new Date((today - index) * dayMs)),
      uptime: uptimePercent(totals),
      worst,
      downMinutes: Math.round(totals.downtime / 60),
    });
  }
  return result;
}

export function daysStart(now: Date, days = 90): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * dayMs);
}
