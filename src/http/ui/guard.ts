import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Actor } from '../../auth/actor.ts';
import { RoostError } from '../../core/errors.ts';
import { type AdminEnv, sessionCookie } from '../middleware/actor.ts';
import { allowed, type NavItem } from './nav.ts';
import { seeOther } from './respond.ts';

/**
 * Where a session that still owes a step of its log-in goes: the code page or the enrolment page. The
 * actor carries no permission then; whether the user has a second factor set up tells the two apart.
 */
export type PendingStep = (actor: Actor) => Promise<'second-factor' | 'enrol' | 'done'>;

export function stepPath(step: 'second-factor' | 'enrol'): string {
  return step === 'enrol' ? '/enrol' : '/login/second-factor';
}

/** The log-in page, remembering where the visitor was going and why they are sent there. */
export function loginRedirect(context: Context<AdminEnv>): Response {
  const url = new URL(context.req.url);
  const target = `${url.pathname}${url.search}`;
  const query = new URLSearchParams();
  if (context.req.method === 'GET' && target !== '/') query.set('next', target);
  // A cookie that no longer resolves: the session ended (idle, lifetime, revoked); say so on the log-in page.
  if (getCookie(context, sessionCookie)) query.set('notice', 'session-ended');
  const search = query.toString();
  return seeOther(context, search ? `/login?${search}` : '/login');
}

/**
 * Lets through a logged-in actor with the permission; sends anonymous visitors to log in, half-logged-in
 * ones to their pending step, and refuses the rest with a 403 page.
 */
export function requirePage(
  pendingStep: PendingStep,
  permission: NavItem['permission'],
): MiddlewareHandler<AdminEnv> {
  return async (context, next) => {
    const actor = context.get('actor');
    if (actor.kind === 'anonymous') return loginRedirect(context);
    if (actor.permissions.size === 0) {
      const step = await pendingStep(actor);
      if (step !== 'done') return seeOther(context, stepPath(step));
    }
    if (!allowed(actor, permission)) {
      throw new RoostError(
        'forbidden',
        `${actor.label} may not open this page`,
        permission === 'authenticated' ? {} : { permission },
      );
    }
    return next();
  };
}
