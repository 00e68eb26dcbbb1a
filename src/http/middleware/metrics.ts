import { performance } from 'node:perf_hooks';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { HttpRouteRecorder, Metrics } from '../../observability/index.ts';

/**
 * Counts and times every request, labelled by route pattern (not raw path) to keep label sets small.
 * Each route's recorder is found through two maps keyed by the method and the route pattern as Hono holds
 * them (no key string is built per request) and adds to plain numbers that the scrape reads.
 */
export function requestMetrics(metrics: Metrics, server: 'admin' | 'status'): MiddlewareHandler {
  const recorders = new Map<string, Map<string, HttpRouteRecorder>>();
  const recorderOf = (method: string, route: string): HttpRouteRecorder => {
    let byRoute = recorders.get(method);
    if (!byRoute) {
      byRoute = new Map();
      recorders.set(method, byRoute);
    }
    let recorder = byRoute.get(route);
    if (!recorder) {
      recorder = metrics.http.route(server, method, route);
      byRoute.set(route, recorder);
    }
    return recorder;
  };
  return async (context, next) => {
    const started = performance.now();
    await next();
    const recorder = recorderOf(context.req.method, routePath(context) || 'unmatched');
    recorder.record(context.res.status, (performance.now() - started) / 1_000);
  };
}
