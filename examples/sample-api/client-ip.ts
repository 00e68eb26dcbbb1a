import { isIP } from 'node:net';

/**
 * The address of the client for logs. Behind Roost's edge proxy (`trustProxy`) that is the last entry of
 * X-Forwarded-For, the one the proxy appended; entries before it are whatever the client claimed.
 * Without a trusted proxy the header is ignored: anyone can send it.
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwardedFor) {
    const last = forwardedFor.split(',').at(-1)?.trim() ?? '';
    if (isIP(last)) return normalize(last);
  }
  return socketAddress ? normalize(socketAddress) : 'unknown';
}

// A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; log them the way people search for them.
function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
