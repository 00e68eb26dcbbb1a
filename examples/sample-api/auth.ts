import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type MiddlewareHandler } from 'hono';
import { sign } from 'hono/jwt';
import { z } from 'zod';
import type { AppDeps, AppEnv } from './app.ts';
import { clientIp } from './client-ip.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { withTimeout } from './timeout.ts';

const tokenLifetimeSeconds = 3_600;

const credentials = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1_024),
});

const newUser = z.object({
  username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ - (at most 64)'),
  password: z.string().min(12).max(1_024),
});

/** POST /login (issues a JWT) and POST /users (an authenticated user adds another). */
export function authRoutes(deps: AppDeps, requireToken: MiddlewareHandler<AppEnv>): Hono<AppEnv> {
  const { config, database, cache, logger } = deps;
  const routes = new Hono<AppEnv>();
  // Unknown usernames are checked against a throw-away hash so both failures take the same time.
  const decoyHash = hashPassword(randomBytes(16).toString('hex'));

  routes.post('/login', async (c) => {
    const input = credentials.safeParse(await c.req.json().catch(() => undefined));
    if (!input.success) {
      return c.json({ error: 'invalid_input', message: 'expected JSON {"username", "password"}' }, 400);
    }
    const { username, password } = input.data;
    const stored = await database.findPasswordHash(username);
    const valid = await verifyPassword(password, stored ?? (await decoyHash));
    const ip = clientIp(getConnInfo(c).remote.address, c.req.header('x-forwarded-for'), config.trustProxy);
    if (stored === undefined || !valid) {
      // One line per failure: Roost's brute-force detection counts these by client_ip.
      logger.warn('login_failed', { client_ip: ip, username: username.slice(0, 128) });
      return c.json({ error: 'invalid_credentials' }, 401);
    }
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(
      { sub: username, iat: now, exp: now + tokenLifetimeSeconds },
      config.jwtSigningKey,
      'HS256',
    );
    // The counter lives in the cache; without the cache the login still succeeds, uncounted.
    const logins = await withTimeout(cache.countLogin(username), config.checkTimeoutMs).catch(() => null);
    logger.info('login_succeeded', { client_ip: ip, username });
    return c.json({ token, tokenType: 'Bearer', expiresIn: tokenLifetimeSeconds, logins });
  });

  routes.post('/users', requireToken, async (c) => {
    const input = newUser.safeParse(await c.req.json().catch(() => undefined));
    if (!input.success) {
      const message = input.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      return c.json({ error: 'invalid_input', message }, 400);
    }
    const created = await database.createUser(input.data.username, await hashPassword(input.data.password));
    if (!created) return c.json({ error: 'conflict', message: 'username is taken' }, 409);
    logger.info('user_created', { username: input.data.username, by: c.get('jwtPayload').sub });
    return c.json({ username: input.data.username }, 201);
  });

  return routes;
}
