import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Headers of every JSON answer. CSP and the like only matter for documents, so JSON gets this short static
 * set; a plain object (not a `Headers`) lets the Node adapter write it without building fetch Headers.
 */
export const jsonHeaders = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

export function jsonResponse(body: unknown, status: ContentfulStatusCode = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: jsonHeaders });
}
