import { Hono } from 'hono';
import type { Logger, Metrics, Readiness } from '../../observability/index.ts';
import { errorResponse } from '../errors.ts';
import { healthRoutes } from '../health.ts';
import { requestMetrics } from '../middleware/metrics.ts';

export interface StatusAppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness(): Promise<Readiness>;
}

/** The public status server: one status page per instance, routed by Host or `/s/{instance}`. */
export function createStatusApp(deps: StatusAppDeps): Hono {
  const app = new Hono();
  app.use(requestMetrics(deps.metrics, 'status'));
  // Public: health only, never metrics.
  app.route('/', healthRoutes({ readiness: deps.readiness }));
  app.notFound((context) => context.text('No status page here.', 404));
  app.onError((error, context) => errorResponse(context, error, deps.logger));
  return app;
}
