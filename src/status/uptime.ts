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
  const byDay = new Map<string, UptimeBucket[]>();
  for (const bucket of buckets) {
    const key = dayOf(bucket.start);
    byDay.set(key, [...(byDay.get(key) ?? []), bucket]);
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const result: UptimeDay[] = [];
  for (let index = days - 1; index >= 0; index--) {
    const day = dayOf(new Date(today - index * dayMs));
    const list = byDay.get(day) ?? [];
    const totals = totalsOf(list);
    const sum = (key: 'degraded' | 'partial' | 'major') =>
      list.reduce((total, bucket) => total + bucket[key], 0);
    const worst: UptimeDay['worst'] =
      totals.measured === 0
        ? 'no_data'
        : sum('major') > 0
          ? 'major_outage'
          : sum('partial') > 0
            ? 'partial_outage'
            : sum('degraded') > 0
              ? 'degraded_performance'
              : 'operational';
    result.push({ day, uptime: uptimePercent(totals), worst, downMinutes: Math.round(totals.downtime / 60) });
  }
  return result;
}

export function daysStart(now: Date, days = 90): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * dayMs);
}
