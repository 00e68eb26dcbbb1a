import { describeError } from '../../core/errors.ts';
import { parseJsonPath, readJsonPath } from '../json-path.ts';
import type { HttpSettings } from '../records.ts';
import { fetchForProbe } from './http-client.ts';
import { elapsedSince, type Probe, type ProbeResult } from './types.ts';

const day = 86_400_000;

/** HTTP(S): status, keyword or pattern, JSON path, latency threshold and certificate expiry. */
export const probeHttp: Probe<HttpSettings> = async (settings, context) => {
  const started = performance.now();
  let response: Awaited<ReturnType<typeof fetchForProbe>>;
  try {
    response = await fetchForProbe(
      new URL(settings.url),
      settings.method,
      context.timeoutMs,
      settings.ignoreTlsErrors,
    );
  } catch (error) {
    return { ok: false, latencyMs: elapsedSince(started), message: describeError(error) };
  }
  const latencyMs = elapsedSince(started);
  const fail = (message: string): ProbeResult => ({ ok: false, latencyMs, message });
  const expected = settings.expectedStatus;
  const statusOk =
    expected.length === 0
      ? response.status >= 200 && response.status < 300
      : expected.includes(response.status);
  if (!statusOk) return fail(`status ${response.status} ${response.statusText}`.trim());
  if (settings.keyword !== undefined && !response.body.includes(settings.keyword))
    return fail(`keyword ${JSON.stringify(settings.keyword)} not found`);
  if (settings.pattern !== undefined && !new RegExp(settings.pattern).test(response.body))
    return fail(`pattern /${settings.pattern}/ not matched`);
  if (settings.jsonPath !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      return fail('the answer is not JSON');
    }
    const value = readJsonPath(document, parseJsonPath(settings.jsonPath) ?? []);
    if (value === undefined) return fail(`${settings.jsonPath} is missing`);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (settings.jsonEquals !== undefined && text !== settings.jsonEquals)
      return fail(`${settings.jsonPath} is ${text}, expected ${settings.jsonEquals}`);
  }
  if (settings.maxLatencyMs !== undefined && latencyMs > settings.maxLatencyMs)
    return fail(`answered in ${latencyMs} ms, over ${settings.maxLatencyMs} ms`);
  if (response.certificateExpiresAt !== null) {
    const daysLeft = Math.floor((response.certificateExpiresAt - context.now) / day);
    if (daysLeft < settings.tlsExpiryDays) return fail(`TLS certificate expires in ${daysLeft} days`);
  }
  return { ok: true, latencyMs, message: `${response.status} ${response.statusText}`.trim() };
};
