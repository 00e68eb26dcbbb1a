/**
 * A per-host baseline of one metric: an exponentially weighted mean and variance per hour of the day, so
 * a nightly backup's disk I/O is normal at 02:00 and unusual at 15:00.
 */
export interface Baseline {
  alpha: number;
  /** 24 buckets (hour of day in the host's zone, or UTC): mean, variance, samples seen. */
  hours: Array<{ mean: number; variance: number; count: number }>;
}

export function emptyBaseline(alpha = 0.1): Baseline {
  return { alpha, hours: Array.from({ length: 24 }, () => ({ mean: 0, variance: 0, count: 0 })) };
}

/** Folds one observation into its hour's bucket (returns a new baseline; the input is left as is). */
export function observe(baseline: Baseline, hourOfDay: number, value: number): Baseline {
  const hours = baseline.hours.map((bucket) => ({ ...bucket }));
  const bucket = hours[hourOfDay % 24] as Baseline['hours'][number];
  if (bucket.count === 0) {
    bucket.mean = value;
    bucket.variance = 0;
  } else {
    const delta = value - bucket.mean;
    bucket.mean += baseline.alpha * delta;
    bucket.variance = (1 - baseline.alpha) * (bucket.variance + baseline.alpha * delta * delta);
  }
  bucket.count += 1;
  return { alpha: baseline.alpha, hours };
}

export interface Deviation {
  unusual: boolean;
  mean: number;
  band: number;
}

/**
 * Outside mean ± k·σ (σ floored at `minSpread` so a perfectly flat history does not flag noise), once the
 * hour has seen `warmUp` samples: a new host is not unusual by definition.
 */
export function deviation(
  baseline: Baseline,
  hourOfDay: number,
  value: number,
  k = 3,
  minSpread = 1,
  warmUp = 10,
): Deviation {
  const bucket = baseline.hours[hourOfDay % 24] as Baseline['hours'][number];
  const band = k * Math.max(Math.sqrt(bucket.variance), minSpread);
  if (bucket.count < warmUp) return { unusual: false, mean: bucket.mean, band };
  return { unusual: Math.abs(value - bucket.mean) > band, mean: bucket.mean, band };
}
