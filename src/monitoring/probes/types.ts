/** Something worth its own alert beside up/down: a forecast, unusual activity. */
export interface Finding {
  /** Stable per monitor (`forecast:disk:/var`), part of the alert fingerprint. */
  key: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
}

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  /** Why it failed, or a short note when it passed (`200 OK`). */
  message: string;
  /** Numbers the probe measured (host metrics, dependency states), for charts and baselines. */
  metrics?: Record<string, number>;
  findings?: Finding[];
}

/** A probe never throws and always ends: every failure, timeout or garbage answer becomes a result. */
export type Probe<Settings> = (settings: Settings, context: ProbeContext) => Promise<ProbeResult>;

export interface ProbeContext {
  timeoutMs: number;
  /** Epoch ms of the check, from the injected clock (TLS expiry and heartbeats compare against it). */
  now: number;
}

export function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
