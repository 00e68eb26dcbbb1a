import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { type AdminEnv, sessionCookie } from '../middleware/actor.ts';

function secure(context: Context<AdminEnv>): boolean {
  return new URL(context.req.url).protocol === 'https:';
}

/**
 * The session cookie: unreadable by scripts, never sent with another site's requests, and sent only over
 * TLS when the admin server speaks it. No Max-Age: it ends with the browser, the server ends it sooner.
 */
export function setSessionCookie(context: Context<AdminEnv>, token: string): void {
  setCookie(context, sessionCookie, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: secure(context),
  });
}

export function clearSessionCookie(context: Context<AdminEnv>): void {
  deleteCookie(context, sessionCookie, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: secure(context),
  });
}
