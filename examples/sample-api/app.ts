import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jwt } from 'hono/jwt';
import { authRoutes } from './auth.ts';
import type { Cache } from './cache.ts';
import type { Config } from './config.ts';
import type { Database } from './database.ts';
import { fileRoutes } from './files.ts';
import { describeError, type Logger } from './log.ts';
import type { StatusReport } from './status.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  cache: Cache;
  logger: Logger;
  status(): Promise<StatusReport>;
}

export type AppEnv = {
  Bindings: HttpBindings;
  Variables: { jwtPayload: { sub: string; iat: number; exp: number } };
};

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const requireToken = jwt({ secret: deps.config.jwtSigningKey, alg: 'HS256' });

  app.get('/status', async (c) => {
    const report = await deps.status();
    return c.json(report, report.status === 'ok' ? 200 : 503, { 'Cache-Control': 'no-store' });
  });
  app.route('/', authRoutes(deps, requireToken));
  app.route('/files', fileRoutes(deps, requireToken));

  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const code = error.status === 401 ? 'unauthenticated' : 'bad_request';
      const challenge = error.res?.headers.get('WWW-Authenticate');
      return c.json({ error: code, message: error.message }, error.status, {
        ...(challenge ? { 'WWW-Authenticate': challenge } : {}),
      });
    }
    deps.logger.error('request_failed', {
      method: c.req.method,
      path: c.req.path,
      error: describeError(error),
    });
    return c.json({ error: 'internal' }, 500);
  });
  return app;
}
