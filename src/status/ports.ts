import type { ComponentStatus } from '../store/index.ts';

/** A status page component as the ports see it: which monitors tell its state. */
export interface ComponentMonitors {
  componentId: string;
  monitorIds: readonly string[];
}

/**
 * The current state of components from their monitors (monitoring owns it). A component missing from the
 * answer has no monitor data: the page then shows its manual status or `operational`.
 */
export interface ComponentHealthSource {
  current(components: readonly ComponentMonitors[]): Promise<Map<string, ComponentStatus>>;
}

/**
 * Seconds spent in each state during one bucket, for a set of monitors taken together: `major` when all
 * were down, `partial` when some were, `degraded` when slow; what is not counted had no data.
 */
export interface UptimeBucket {
  start: Date;
  end: Date;
  operational: number;
  degraded: number;
  partial: number;
  major: number;
}

/** Check roll-ups (monitoring owns them): per day for the 90-day bars, per minute for the SLA. */
export interface UptimeSource {
  buckets(
    monitorIds: readonly string[],
    from: Date,
    to: Date,
    size: 'minute' | 'day',
  ): Promise<UptimeBucket[]>;
}

/** Until monitoring is wired in: no monitor data, so components show what people set. */
export const noHealth: ComponentHealthSource = { current: async () => new Map() };
export const noUptime: UptimeSource = { buckets: async () => [] };
