import { performance } from 'node:perf_hooks';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../../observability/index.ts';

/**
 * Counts and times every request, labelled by route pattern (not raw path) to keep label sets small.
 * The labelled children are looked up once per route and status, not hashed again on every request.
 */
export function requestMetrics(metrics: Metrics, server: 'admin' | 'status'): MiddlewareHandler {
  const durations = new Map<string, { observe(seconds: number): void }>();
  const counts = new Map<string, { inc(): void }>();
  return async (context, next) => {
    const started = performance.now();
    await next();
    const method = context.req.method;
    const route = routePath(context) || 'unmatched';
    const status = String(context.res.status);
    const routeKey = `${method} ${route}`;
    let duration = durations.get(routeKey);
    if (!duration) {
      duration = metrics.httpDuration.labels({ server, method, route });
      durations.set(routeKey, duration);
    }
    duration.observe((performance.now() - started) / 1_000);
    const countKey = `${routeKey} ${status}`;
    let count = counts.get(countKey);
    if (!count) {
      count = metrics.httpRequests.labels({ server, method, route, status });
      counts.set(countKey, count);
    }
    count.inc();
  };
}
