import type { Context } from 'hono';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import type { z } from 'zod';
import { type Actor, authorize } from '../../auth/actor.ts';
import { isRoostError, RoostError } from '../../core/errors.ts';
import { jsonHeaders, jsonResponse } from '../json.ts';
import type { AdminEnv } from '../middleware/actor.ts';
import { checkRequestCsrf } from '../middleware/csrf.ts';
import { openApiDocument } from './openapi.ts';
import { type ApiDeps, type ApiRoute, honoPath, pathParameters } from './route.ts';
import { stepUpPath } from './routes/users.ts';

/** Request bodies above this are refused with 413 (documented in the OpenAPI description). */
export const maxBodyBytes = 64 * 1024;

/**
 * Mounts every route of the table: authenticate → authorize → CSRF → parse → validate → run. Each route
 * identifies its caller itself rather than after a middleware: one Hono layer less on every API request.
 */
export function createApiApp(
  deps: ApiDeps,
  routes: readonly ApiRoute[],
  version: string,
  identify: (context: Context<AdminEnv>) => Promise<void>,
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const document = openApiDocument(routes, version);
  app.get('/openapi.json', async (context) => {
    await identify(context);
    return jsonResponse(document);
  });
  for (const route of routes) {
    const hasParams = pathParameters(route.path).length > 0;
    app.on(route.method.toUpperCase(), honoPath(route.path), async (context) => {
      await identify(context);
      const actor = context.get('actor');
      if (route.permission === 'authenticated') {
        if (actor.kind === 'anonymous')
          throw new RoostError('unauthenticated', 'log in or send an API token');
        if (actor.permissions.size === 0)
          throw new RoostError('forbidden', 'finish logging in: a second factor is required');
      } else {
        authorize(actor, route.permission);
      }
      if (route.method !== 'get') checkRequestCsrf(context, actor);
      const input = await readInput(context, route, hasParams);
      const parsed = route.input.safeParse(input);
      if (!parsed.success) throw invalidInput(parsed.error);
      const result = await route.run({ deps, actor: actor }, parsed.data).catch((error: unknown) => {
        throw withStepUp(error, actor);
      });
      if (route.produces === 'ndjson') {
        for (const [name, value] of Object.entries(jsonHeaders)) context.header(name, value);
        context.header('content-type', 'application/x-ndjson');
        return stream(context, async (out) => {
          for await (const line of result as AsyncIterable<string>) await out.write(line);
        });
      }
      return jsonResponse(result, route.status ?? 200);
    });
  }
  // Not-found and errors are answered by the admin app, which knows /api/ paths answer JSON.
  return app;
}

/**
 * A session refused for a stale second factor learns here how to refresh it over the API (a token cannot:
 * its refusal says so already); the check itself is the operation's.
 */
function withStepUp(error: unknown, actor: Actor): unknown {
  if (actor.kind !== 'user' || !isRoostError(error, 'forbidden')) return error;
  if (error.details?.reason !== 'second_factor_required') return error;
  return new RoostError(
    'forbidden',
    `this needs a second factor entered in the last 5 minutes: send a current code from your app to POST /api/v1${stepUpPath} ({"code": "123456"}) with this session, then repeat the request`,
    { ...error.details, stepUp: `POST /api/v1${stepUpPath}` },
    { cause: error },
  );
}

async function readInput(
  context: Context,
  route: ApiRoute,
  hasParams: boolean,
): Promise<Record<string, unknown>> {
  const params = hasParams ? (context.req.param() as Record<string, string>) : {};
  if (route.method === 'get' || route.method === 'delete') return { ...context.req.query(), ...params };
  const type = context.req.header('content-type') ?? '';
  const text = await context.req.text();
  if (text.trim() === '') return { ...params };
  if (!/^application\/json\b/i.test(type)) {
    throw new RoostError('invalid_input', `expected Content-Type: application/json, got ${type || 'none'}`, {
      reason: 'unsupported_media_type',
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new RoostError('invalid_input', `malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new RoostError('invalid_input', 'the JSON body must be an object');
  return { ...(body as Record<string, unknown>), ...params };
}

function invalidInput(error: z.ZodError): RoostError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message:
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const first = issues[0];
  return new RoostError(
    'invalid_input',
    first ? `${first.path || 'body'}: ${first.message}` : 'invalid input',
    { issues },
  );
}
