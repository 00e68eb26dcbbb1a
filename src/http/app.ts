import { Hono } from 'hono';
import type { Logger, Metrics, Readiness } from '../observability/index.ts';
import { errorResponse } from './errors.ts';
import { healthRoutes } from './health.ts';
import { requestMetrics } from './middleware/metrics.ts';

export interface AdminAppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness(): Promise<Readiness>;
}

/** The private admin server: UI, JSON API under /api/v1, health and metrics. */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const app = new Hono();
  app.use(requestMetrics(deps.metrics, 'admin'));
  app.route('/', healthRoutes(deps));
  app.get('/', (context) =>
    context.html(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Roost</title></head><body><main><h1>Roost</h1><p>The control plane is running. Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>, metrics: <a href="/metrics">/metrics</a>.</p></main></body></html>',
    ),
  );
  app.notFound((context) =>
    context.json({ error: { code: 'not_found', message: 'no such route', details: {} } }, 404),
  );
  app.onError((error, context) => errorResponse(context, error, deps.logger));
  return app;
}
