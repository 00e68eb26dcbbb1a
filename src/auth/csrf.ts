import { createHmac } from 'node:crypto';
import { equalInConstantTime } from './hashing.ts';

/**
 * The CSRF token of a session: HMAC-SHA256 keyed with the session's cookie value. Deterministic per
 * session (no state to keep), unknowable without the HttpOnly cookie, and it reveals nothing about it.
 */
export function csrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('roost-csrf-v1').digest('base64url');
}

/** True when `presented` is the CSRF token of the session behind `sessionToken`; constant time. */
export function checkCsrf(sessionToken: string, presented: string | null | undefined): boolean {
  if (!presented || sessionToken.length === 0) return false;
  return equalInConstantTime(csrfToken(sessionToken), presented);
}
