import { type MonitorState, monitorStates, uptimeOf } from '../monitoring/index.ts';
import type { ComponentStatus, Store } from '../store/index.ts';
import type { ComponentHealthSource, UptimeBucket, UptimeSource } from './ports.ts';

/** Component states from their monitors: all down is a major outage, some down a partial one. */
export function monitorHealth(store: Store): ComponentHealthSource {
  return {
    async current(components) {
      const states = await monitorStates(
        store,
        components.flatMap((component) => component.monitorIds),
      );
      const result = new Map<string, ComponentStatus>();
      for (const component of components) {
        const known = component.monitorIds
          .map((id) => states.get(id))
          .filter((state): state is MonitorState => state !== undefined && state !== 'unknown');
        if (known.length === 0) continue; // no data: the page shows the manual status
        const down = known.filter((state) => state === 'down').length;
        result.set(
          component.componentId,
          down === 0 ? 'operational' : down === known.length ? 'major_outage' : 'partial_outage',
        );
      }
      return result;
    },
  };
}

const bucketSeconds = { minute: 60, day: 86_400 } as const;

/**
 * Check roll-ups as seconds per state. Within one bucket each monitor was down for its share of failed
 * checks; the time all were down counts as a major outage (the smallest share), the rest of the time some
 * were down as partial (up to the largest share), the remainder as operational.
 */
export function monitorUptime(store: Store): UptimeSource {
  return {
    async buckets(monitorIds, from, to, size) {
      const series = await uptimeOf(store, monitorIds, from.getTime(), to.getTime(), size);
      const byStart = new Map<number, number[]>();
      for (const monitor of series) {
        for (const bucket of monitor.buckets) {
          if (bucket.checks === 0) continue;
          const shares = byStart.get(bucket.bucket) ?? [];
          shares.push(bucket.failures / bucket.checks);
          byStart.set(bucket.bucket, shares);
        }
      }
      const seconds = bucketSeconds[size];
      return [...byStart.entries()]
        .sort(([a], [b]) => a - b)
        .map(([start, shares]): UptimeBucket => {
          // A monitor without checks in this bucket counts as up: it reported nothing wrong.
          const all = shares.length === monitorIds.length ? shares : [...shares, 0];
          const major = Math.min(...all) * seconds;
          const anyDown = Math.max(...all) * seconds;
          return {
            start: new Date(start),
            end: new Date(start + seconds * 1000),
            operational: seconds - anyDown,
            degraded: 0,
            partial: anyDown - major,
            major,
          };
        });
    },
  };
}
