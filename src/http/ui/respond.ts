import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AdminEnv } from '../middleware/actor.ts';
import type { Markup } from './layout.ts';

/**
 * No script runs anywhere in the UI, so the policy allows none; forms post only to this origin and no
 * other site may frame the pages (clickjacking).
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(context: Context<AdminEnv>): void {
  context.header('content-security-policy', contentSecurityPolicy);
  context.header('x-content-type-options', 'nosniff');
  context.header('referrer-policy', 'same-origin');
  // Pages show tokens, recovery codes and audit data: never keep them in a cache.
  context.header('cache-control', 'no-store');
}

export async function sendPage(
  context: Context<AdminEnv>,
  page: Markup,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  securityHeaders(context);
  return context.html(await page, status);
}

/** After a successful POST: 303 so a reload does not post again. */
export function seeOther(context: Context<AdminEnv>, location: string): Response {
  securityHeaders(context);
  return context.redirect(location, 303);
}

const authPaths = ['/login', '/logout', '/enrol', '/setup'];

/** A local path to return to after logging in; anything else (another origin, `//host`) becomes `/`. */
export function safeNext(value: string | undefined | null): string {
  const path = value ?? '';
  const local = path.startsWith('/') && !path.startsWith('//') && !path.includes('\\');
  if (!local || authPaths.some((prefix) => path.startsWith(prefix))) return '/';
  return path.slice(0, 500);
}

/** Form fields as strings; repeated fields (checkboxes) as lists. */
export async function readForm(
  context: Context<AdminEnv>,
): Promise<{ get(name: string): string; all(name: string): string[] }> {
  const body = await context.req.parseBody({ all: true });
  const values = (name: string): string[] => {
    const value = body[name];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.filter((item): item is string => typeof item === 'string');
  };
  return { get: (name) => values(name)[0] ?? '', all: values };
}
