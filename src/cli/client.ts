import { readFileSync } from 'node:fs';
import { authorize, localActor } from '../auth/actor.ts';
import { type ErrorCode, RoostError } from '../core/errors.ts';
import type { ApiRoute } from '../http/api/route.ts';
import { apiRoutes } from '../http/api/routes/index.ts';
import { apiDepsOf, openRoost, type Roost } from '../main.ts';
import type { CommandContext } from './context.ts';

/**
 * Runs API operations for CLI commands: in-process on the server (as the local actor, who holds the
 * database and the master key), or against a remote server with `--url` and an API token.
 */
export interface ApiClient {
  call<T>(routeId: string, input?: Record<string, unknown>): Promise<T>;
  /** Streamed results (NDJSON): each item is one line ending in a newline. */
  lines(routeId: string, input?: Record<string, unknown>): AsyncIterable<string>;
  close(): Promise<void>;
  /** The in-process Roost when the command runs on the server (absent with --url). */
  readonly roost?: Roost;
}

function findRoute(routeId: string): ApiRoute {
  const route = apiRoutes.find((candidate) => candidate.id === routeId);
  if (!route) throw new RoostError('internal', `no API route ${routeId}`);
  return route;
}

export async function openClient(context: CommandContext): Promise<ApiClient> {
  const remote = context.config.client;
  if (remote.url) {
    if (!remote.token)
      throw new RoostError(
        'invalid_config',
        '--url needs an API token: set ROOST_TOKEN or pass --token @<file>',
      );
    return remoteClient(remote.url, readToken(remote.token));
  }
  return localClient(await openRoost(context.config, context.logger, { migrate: false }));
}

/** `@path` reads the token from a file, so it need not appear in the command line. */
function readToken(token: string): string {
  if (!token.startsWith('@')) return token;
  try {
    return readFileSync(token.slice(1), 'utf8').trim();
  } catch (error) {
    throw new RoostError(
      'invalid_config',
      `cannot read the API token file ${token.slice(1)}: ${(error as Error).message}`,
    );
  }
}

function localClient(roost: Roost): ApiClient {
  const deps = apiDepsOf(roost);
  const run = async (routeId: string, input: Record<string, unknown>) => {
    const route = findRoute(routeId);
    const actor = localActor(roost.clock);
    if (route.permission !== 'authenticated') authorize(actor, route.permission);
    const parsed = route.input.safeParse(input);
    if (!parsed.success)
      throw new RoostError(
        'invalid_input',
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
    return route.run({ deps, actor }, parsed.data);
  };
  return {
    call: async <T>(routeId: string, input: Record<string, unknown> = {}) => (await run(routeId, input)) as T,
    lines: (routeId, input = {}) => ({
      async *[Symbol.asyncIterator]() {
        yield* (await run(routeId, input)) as AsyncIterable<string>;
      },
    }),
    close: () => roost.close(),
    roost,
  };
}

function remoteClient(baseUrl: string, token: string): ApiClient {
  const request = async (routeId: string, input: Record<string, unknown>): Promise<Response> => {
    const route = findRoute(routeId);
    const rest = { ...input };
    const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
      const value = String(rest[name] ?? '');
      delete rest[name];
      return encodeURIComponent(value);
    });
    const url = new URL(`${baseUrl.replace(/\/$/, '')}/api/v1${path}`);
    const hasBody = route.method !== 'get' && route.method !== 'delete';
    if (!hasBody)
      for (const [key, value] of Object.entries(rest))
        if (value !== undefined) url.searchParams.set(key, String(value));
    let response: Response;
    try {
      response = await fetch(url, {
        method: route.method.toUpperCase(),
        headers: {
          authorization: `Bearer ${token}`,
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
        },
        ...(hasBody ? { body: JSON.stringify(rest) } : {}),
      });
    } catch (error) {
      throw new RoostError(
        'unavailable',
        `cannot reach ${baseUrl}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`,
      );
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as
        | { error?: { code: ErrorCode; message: string } }
        | undefined;
      throw new RoostError(
        body?.error?.code ?? 'internal',
        body?.error?.message ?? `${baseUrl} answered ${response.status}`,
      );
    }
    return response;
  };
  return {
    call: async <T>(routeId: string, input: Record<string, unknown> = {}) =>
      (await (await request(routeId, input)).json()) as T,
    lines: (routeId, input = {}) => ({
      async *[Symbol.asyncIterator]() {
        const text = await (await request(routeId, input)).text();
        for (const line of text.split('\n')) if (line !== '') yield `${line}\n`;
      },
    }),
    close: async () => {},
  };
}
