import { type Context, Hono, type Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Metrics, Readiness } from '../observability/index.ts';
import type { ApiDeps, ApiRoute } from './api/route.ts';
import { createApiApp, maxBodyBytes } from './api/router.ts';
import { errorResponse } from './errors.ts';
import { healthRoutes } from './health.ts';
import { jsonResponse } from './json.ts';
import { type ActorResolvers, type AdminEnv, actorIdentifier, resolveActor } from './middleware/actor.ts';
import { sameOrigin } from './middleware/csrf.ts';
import { requestMetrics } from './middleware/metrics.ts';
import { createUiApp, uiErrorResponse, uiNotFound } from './ui/index.ts';

export interface AdminAppDeps {
  api: ApiDeps;
  metrics: Metrics;
  readiness(): Promise<Readiness>;
  resolvers: ActorResolvers;
  routes: readonly ApiRoute[];
  version: string;
}

/** The API answers JSON; everything else is a page for people. */
const isApi = (path: string) => path.startsWith('/api/');

/** The private admin server: UI, JSON API under /api/v1, health and metrics. */
export function createAdminApp(deps: AdminAppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { logger } = deps.api;
  // Pages get the full secure-header set; JSON answers carry a short static one (see jsonResponse).
  // same-origin referrers: with no-referrer, Chromium sends `Origin: null` on same-origin form posts.
  const pageHeaders = secureHeaders({
    referrerPolicy: 'same-origin',
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
  // Metrics time every request, pages included; one middleware layer for both, as each layer Hono runs
  // costs about a microsecond on every request. Neither throws, so nothing is lost by not separating them.
  const metered = requestMetrics(deps.metrics, 'admin');
  const withPageHeaders = (context: Context<AdminEnv>, next: Next) => async () => {
    await pageHeaders(context, next);
  };
  app.use((context, next) =>
    metered(context, isApi(context.req.path) ? next : withPageHeaders(context, next)),
  );
  app.route('/', healthRoutes(deps));
  // Only requests with a body are limited (on GET, asking for the body would build a whole fetch Request).
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () =>
      jsonResponse(
        {
          error: {
            code: 'invalid_input',
            message: `the request body is larger than ${maxBodyBytes / 1024} KiB`,
            details: { reason: 'payload_too_large', limit: maxBodyBytes },
          },
        },
        413,
      ),
  });
  // Middleware only unsafe methods need is registered for them alone: reads skip those layers entirely.
  const writes = ['POST', 'PUT', 'PATCH', 'DELETE'];
  app.on(writes, '*', limitBody, sameOrigin());
  const { afterWrite } = deps.resolvers;
  if (afterWrite) {
    app.on(writes, '*', async (_context, next) => {
      await next();
      afterWrite();
    });
  }
  const identify = actorIdentifier(deps.resolvers);
  app.route('/api/v1', createApiApp(deps.api, deps.routes, deps.version, identify));
  // Registered after the API routes: they answer without calling next, so only pages (and API paths no
  // route matched, before their 404) pass through this layer.
  app.use(resolveActor(identify));
  app.route('/', createUiApp(deps.api));
  app.notFound((context) =>
    isApi(context.req.path)
      ? jsonResponse(
          {
            error: {
              code: 'not_found',
              message: `no API route ${context.req.method} ${context.req.path}`,
              details: {},
            },
          },
          404,
        )
      : uiNotFound(context),
  );
  app.onError((error, context) =>
    isApi(context.req.path) ? errorResponse(context, error, logger) : uiErrorResponse(context, error, logger),
  );
  return app;
}
