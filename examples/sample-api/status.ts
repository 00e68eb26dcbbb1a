import { describeError } from './log.ts';
import { withTimeout } from './timeout.ts';

export interface CheckResult {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

export interface StatusReport {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  checks: { database: CheckResult; cache: CheckResult };
}

export interface StatusProbes {
  database(): Promise<void>;
  cache(): Promise<void>;
}

/**
 * Runs both checks in parallel, each bounded by `timeoutMs`. Without the database nothing works (down);
 * without the cache logins still work, only the counters are missing (degraded).
 */
export async function checkStatus(
  probes: StatusProbes,
  version: string,
  timeoutMs: number,
): Promise<StatusReport> {
  const [database, cache] = await Promise.all([
    runCheck(probes.database, timeoutMs),
    runCheck(probes.cache, timeoutMs),
  ]);
  const status = database.status === 'down' ? 'down' : cache.status === 'down' ? 'degraded' : 'ok';
  return { status, version, checks: { database, cache } };
}

async function runCheck(probe: () => Promise<void>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    await withTimeout(probe(), timeoutMs);
    return { status: 'ok', latencyMs: elapsed() };
  } catch (error) {
    return { status: 'down', latencyMs: elapsed(), error: describeError(error) };
  }
}
