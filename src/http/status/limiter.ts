/**
 * Fixed-window counters in memory: at most `limit` hits per key per window. Per process, which is enough to
 * keep one visitor from mailing an address over and over; bounded in size so a flood of keys cannot grow it.
 */
export function createLimiter(options: {
  limit: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}) {
  const hits = new Map<string, { count: number; until: number }>();
  const now = options.now ?? (() => Date.now());
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    /** Counts a hit; false when the key is over its limit for this window. */
    allow(key: string): boolean {
      const time = now();
      let entry = hits.get(key);
      if (!entry || entry.until <= time) {
        if (hits.size >= maxKeys) {
          for (const [name, value] of hits) if (value.until <= time) hits.delete(name);
          if (hits.size >= maxKeys) hits.delete(hits.keys().next().value as string);
        }
        entry = { count: 0, until: time + options.windowMs };
        hits.set(key, entry);
      }
      entry.count++;
      return entry.count <= options.limit;
    },
  };
}
