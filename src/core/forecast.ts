/** One measurement of a series (epoch ms, value). */
export interface Sample {
  at: number;
  value: number;
}

export interface Forecast {
  /** Change per hour of the least-squares line. */
  slopePerHour: number;
  /** When the line reaches the limit (epoch ms), or null when it never does (flat or falling). */
  reachesLimitAt: number | null;
  /** How well a line explains the samples, 0..1: a poor fit should not wake anybody up. */
  fit: number;
}

/**
 * Least-squares line over recent samples, extended to the limit. Needs at least three samples; a value
 * already at or past the limit reaches it "now" (the last sample's time).
 */
export function forecastLimit(samples: readonly Sample[], limit: number): Forecast | null {
  if (samples.length < 3) return null;
  const origin = samples[0]?.at ?? 0;
  const n = samples.length;
  let sumX = 0;
  let sumY = 0;
  for (const sample of samples) {
    sumX += sample.at - origin;
    sumY += sample.value;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (const sample of samples) {
    const dx = sample.at - origin - meanX;
    const dy = sample.value - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  if (varianceX === 0) return null;
  const slope = covariance / varianceX; // per ms
  const intercept = meanY - slope * meanX;
  const fit = varianceY === 0 ? 1 : (covariance * covariance) / (varianceX * varianceY);
  const last = samples[n - 1] as Sample;
  let reachesLimitAt: number | null = null;
  if (last.value >= limit) reachesLimitAt = last.at;
  else if (slope > 0) reachesLimitAt = Math.round(origin + (limit - intercept) / slope);
  return { slopePerHour: slope * 3_600_000, reachesLimitAt, fit };
}

/** "in about 3 days", "in about 5 hours", "now": for alert summaries. */
export function describeDelay(milliseconds: number): string {
  if (milliseconds <= 60_000) return 'now';
  const minutes = milliseconds / 60_000;
  if (minutes < 90) return `in about ${Math.round(minutes)} minutes`;
  const hours = minutes / 60;
  if (hours < 36) return `in about ${Math.round(hours)} hours`;
  return `in about ${Math.round(hours / 24)} days`;
}

/**
 * Whether to alert now: the limit is reached within `horizonMs` and the line explains the series well
 * enough (`minFit`). Returns the human sentence when it should.
 */
export function forecastWarning(
  what: string,
  samples: readonly Sample[],
  limit: number,
  now: number,
  horizonMs: number,
  minFit = 0.8,
): string | null {
  const forecast = forecastLimit(samples, limit);
  if (!forecast || forecast.reachesLimitAt === null || forecast.fit < minFit) return null;
  const delay = forecast.reachesLimitAt - now;
  if (delay > horizonMs) return null;
  return `${what} full ${describeDelay(delay)}`;
}
