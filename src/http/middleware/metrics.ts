import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../../observability/index.ts';

/** Counts and times every request, labelled by route pattern (not raw path) to keep label sets small. */
export function requestMetrics(metrics: Metrics, server: 'admin' | 'status'): MiddlewareHandler {
  return async (context, next) => {
    const stop = metrics.httpDuration.startTimer();
    await next();
    const labels = { server, method: context.req.method, route: routePath(context) || 'unmatched' };
    stop(labels);
    metrics.httpRequests.inc({ ...labels, status: String(context.res.status) });
  };
}
