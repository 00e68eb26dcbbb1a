import { nextRunAfter, parseCron } from '../../jobs/cron.ts';
import type { HeartbeatSettings } from '../records.ts';
import type { ProbeResult } from './types.ts';

/**
 * A heartbeat is down when its push is late: after the interval (or the next cron occurrence after the
 * last push) plus the grace period. The check reads the time of the last push; nothing goes out.
 */
export function checkHeartbeat(
  settings: HeartbeatSettings,
  lastPushedAt: number,
  intervalSeconds: number,
  now: number,
): ProbeResult {
  const due =
    settings.cron === undefined
      ? lastPushedAt + intervalSeconds * 1000
      : nextRunAfter(parseCron(settings.cron, settings.timeZone), new Date(lastPushedAt));
  const late = now - (due + settings.graceSeconds * 1000);
  if (late > 0) {
    return { ok: false, latencyMs: 0, message: `no push since ${new Date(lastPushedAt).toISOString()}` };
  }
  return { ok: true, latencyMs: 0, message: `last push ${new Date(lastPushedAt).toISOString()}` };
}
