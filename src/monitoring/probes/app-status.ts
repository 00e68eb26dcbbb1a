import { describeError } from '../../core/errors.ts';
import type { AppStatusSettings } from '../records.ts';
import { fetchForProbe } from './http-client.ts';
import { elapsedSince, type Probe } from './types.ts';

interface StatusDocument {
  status?: unknown;
  checks?: Record<string, { status?: unknown; error?: unknown }>;
}

/**
 * Application status JSON (`{ status, checks: { database: { status }, … } }`, the sample API's `/status`):
 * down when any dependency is not `ok`, naming each one; a 503 with a readable body still says which.
 */
export const probeAppStatus: Probe<AppStatusSettings> = async (settings, context) => {
  const started = performance.now();
  let response: Awaited<ReturnType<typeof fetchForProbe>>;
  try {
    response = await fetchForProbe(new URL(settings.url), 'GET', context.timeoutMs);
  } catch (error) {
    return { ok: false, latencyMs: elapsedSince(started), message: describeError(error) };
  }
  const latencyMs = elapsedSince(started);
  let document: StatusDocument;
  try {
    document = JSON.parse(response.body) as StatusDocument;
  } catch {
    return { ok: false, latencyMs, message: `status ${response.status}: the answer is not JSON` };
  }
  if (document === null || typeof document !== 'object')
    return { ok: false, latencyMs, message: 'the status document is not an object' };
  const metrics: Record<string, number> = {};
  const failing: string[] = [];
  for (const [name, check] of Object.entries(document.checks ?? {})) {
    const healthy = check?.status === 'ok';
    metrics[`dependency:${name}`] = healthy ? 1 : 0;
    if (!healthy) failing.push(typeof check?.error === 'string' ? `${name} (${check.error})` : name);
  }
  if (failing.length > 0) return { ok: false, latencyMs, metrics, message: `not OK: ${failing.join(', ')}` };
  if (document.status !== 'ok' || response.status >= 400)
    return {
      ok: false,
      latencyMs,
      metrics,
      message: `status ${String(document.status)} (${response.status})`,
    };
  return { ok: true, latencyMs, metrics, message: `ok, ${Object.keys(metrics).length} dependencies` };
};
