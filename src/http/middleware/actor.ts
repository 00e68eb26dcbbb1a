import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { type Actor, anonymousActor } from '../../auth/actor.ts';
import { RoostError } from '../../core/errors.ts';

export const sessionCookie = 'roost_session';

/** What the admin server knows about the request once the actor is resolved. */
export interface AdminEnv {
  Variables: {
    actor: Actor;
    /** The CSRF token forms and unsafe API calls of this session must carry; null without a session. */
    csrf: string | null;
    /** The raw session cookie value, for the UI's log-in steps. */
    sessionToken: string | null;
  };
}

export interface ActorResolvers {
  resolveToken(bearer: string, ip: string | null): Promise<Actor | undefined>;
  resolveSession(token: string, ip: string | null): Promise<{ actor: Actor; csrf: string } | undefined>;
  /** Called after every request that may have changed state (revoked a token, disabled a user…). */
  afterWrite?(): void;
}

export function clientIp(context: Context): string | null {
  try {
    return getConnInfo(context).remote.address ?? null;
  } catch {
    return null;
  }
}

/**
 * Resolves who is asking: an API token (`Authorization: Bearer`), else the session cookie, else
 * anonymous, and sets `actor` (with `csrf` and `sessionToken` for a session). A bearer token that does not
 * resolve is an error, never a silent downgrade.
 */
export function actorIdentifier(resolvers: ActorResolvers): (context: Context<AdminEnv>) => Promise<void> {
  return async (context) => {
    const ip = clientIp(context);
    context.set('csrf', null);
    context.set('sessionToken', null);
    const authorization = context.req.header('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const actor = match?.[1] ? await resolvers.resolveToken(match[1], ip) : undefined;
      if (!actor) throw new RoostError('unauthenticated', 'the API token is unknown, expired or revoked');
      context.set('actor', actor);
      return;
    }
    const token = getCookie(context, sessionCookie);
    const resolved = token ? await resolvers.resolveSession(token, ip) : undefined;
    if (resolved && token) {
      context.set('actor', resolved.actor);
      context.set('csrf', resolved.csrf);
      context.set('sessionToken', token);
    } else {
      context.set('actor', anonymousActor(ip));
    }
  };
}

/** The same as a middleware, for pages (the API's route handlers identify the caller themselves). */
export function resolveActor(
  identify: (context: Context<AdminEnv>) => Promise<void>,
): MiddlewareHandler<AdminEnv> {
  return async (context, next) => {
    await identify(context);
    return next();
  };
}
