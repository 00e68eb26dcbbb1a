import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Actor } from '../../auth/actor.ts';
import { RoostError } from '../../core/errors.ts';
import type { AdminEnv } from './actor.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses an unsafe request whose Origin (or, without one, Referer) is another site: the first line of
 * defence against cross-site form posts, before cookies (SameSite=Strict) and tokens even matter.
 */
export function sameOrigin(): MiddlewareHandler<AdminEnv> {
  return async (context, next) => {
    if (safeMethods.has(context.req.method)) return next();
    const origin = context.req.header('origin') ?? refererOrigin(context.req.header('referer'));
    if (origin !== undefined && origin !== 'null' && origin !== new URL(context.req.url).origin) {
      throw new RoostError('forbidden', `cross-site request refused (origin ${origin})`, { reason: 'csrf' });
    }
    if (origin === 'null')
      throw new RoostError('forbidden', 'cross-site request refused (opaque origin)', { reason: 'csrf' });
    return next();
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** A session-authenticated unsafe request must carry the session's CSRF token (header or form field). */
export function checkRequestCsrf(context: Context<AdminEnv>, actor: Actor, formToken?: string): void {
  if (actor.sessionId === undefined) return; // API tokens are not sent by browsers on their own
  const expected = context.get('csrf');
  const given = formToken ?? context.req.header('x-csrf-token') ?? '';
  if (!expected || !constantTimeEqual(expected, given)) {
    throw new RoostError('forbidden', 'missing or wrong CSRF token: reload the page and try again', {
      reason: 'csrf',
    });
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
