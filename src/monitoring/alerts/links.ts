import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in an alert's acknowledge/resolve links: `<alert id>.<HMAC of the id>`. Nothing is stored
 * per link; the key lives in the vault, so links stay valid across restarts and cannot be forged.
 */
export function alertLinkToken(key: Buffer, alertId: string): string {
  return `${alertId}.${createHmac('sha256', key).update(alertId).digest('base64url')}`;
}

/** The alert id a token is for, or null when the token was not made with this key. */
export function verifyAlertLinkToken(key: Buffer, token: string): string | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const alertId = token.slice(0, dot);
  const expected = Buffer.from(alertLinkToken(key, alertId));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given) ? alertId : null;
}
