import { Hono } from 'hono';
import type { Metrics, Readiness } from '../observability/index.ts';

export interface HealthDeps {
  readiness(): Promise<Readiness>;
  metrics?: Metrics;
}

/** `/healthz` (the process answers), `/readyz` (database and migrations), `/metrics` (Prometheus). */
export function healthRoutes(deps: HealthDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (context) => context.json({ status: 'ok' }));
  app.get('/readyz', async (context) => {
    const readiness = await deps.readiness();
    return context.json(
      { status: readiness.ready ? 'ready' : 'not ready', ...readiness.checks },
      readiness.ready ? 200 : 503,
    );
  });
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (context) =>
      context.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
    );
  }
  return app;
}
