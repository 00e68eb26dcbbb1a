import type { UptimeBucket, UptimeSource } from './ports.ts';

const dayMs = 86_400_000;

export interface SettledDaysOptions {
  /** How long after a day ends its roll-ups are taken as final (late results of its last checks). */
  settleMs?: number;
  /** Component reads remembered; beyond this the memory starts again. */
  maxEntries?: number;
}

/**
 * Day buckets of days that are over do not change, yet a page rebuilt every second during an outage read
 * its 89 past days of roll-ups each time. This remembers them per monitor set and reads only the days not
 * settled yet (today, and yesterday for `settleMs` after midnight). Minute buckets (the SLA) are not
 * remembered. The source answers as of `now`, the instant the page is read at; the memory starts again
 * when the settled day moves.
 */
export function rememberSettledDays(
  source: UptimeSource,
  options: SettledDaysOptions = {},
): (now: Date) => UptimeSource {
  const settleMs = options.settleMs ?? 10 * 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const memory = new Map<string, Promise<UptimeBucket[]>>();
  let settledAt = Number.NaN;
  return (now) => ({
    async buckets(monitorIds, from, to, size) {
      const settled = Math.min(to.getTime(), Math.floor((now.getTime() - settleMs) / dayMs) * dayMs);
      if (size !== 'day' || settled <= from.getTime()) return source.buckets(monitorIds, from, to, size);
      if (settled !== settledAt || memory.size >= maxEntries) {
        memory.clear();
        settledAt = settled;
      }
      const key = `${from.getTime()}\n${monitorIds.join('\n')}`;
      let past = memory.get(key);
      if (!past) {
        const read = source.buckets(monitorIds, from, new Date(settled), 'day');
        memory.set(key, read);
        // A failed read is not remembered.
        read.catch(() => memory.get(key) === read && memory.delete(key));
        past = read;
      }
      const [settledDays, recentDays] = await Promise.all([
        past,
        settled < to.getTime() ? source.buckets(monitorIds, new Date(settled), to, 'day') : [],
      ]);
      return [...settledDays, ...recentDays];
    },
  });
}
