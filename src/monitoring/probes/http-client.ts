import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

/** Bodies beyond this are cut: a probe reads enough to find a keyword, not a whole download. */
export const maxBodyBytes = 1024 * 1024;

// Keep-alive: a monitor checked every 30 s reuses its connection instead of a new TCP (and TLS) handshake.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 4, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 4, scheduling: 'lifo' }),
  insecure: new https.Agent({
    keepAlive: true,
    maxSockets: 4,
    maxFreeSockets: 4,
    scheduling: 'lifo',
    rejectUnauthorized: false,
  }),
};

export interface FetchedResponse {
  status: number;
  statusText: string;
  body: string;
  /** HTTPS: when the server's certificate expires (epoch ms). */
  certificateExpiresAt: number | null;
}

/**
 * One GET/HEAD with a hard deadline covering connect, headers and body; the socket is destroyed on
 * timeout so a server that never answers costs one timer, not a stuck request.
 */
export async function fetchForProbe(
  url: URL,
  method: 'GET' | 'HEAD',
  timeoutMs: number,
  ignoreTlsErrors = false,
): Promise<FetchedResponse> {
  const started = performance.now();
  try {
    return await fetchOnce(url, method, timeoutMs, ignoreTlsErrors);
  } catch (error) {
    // A kept-alive socket the server closed while idle is not the target's fault: retry once, fresh.
    if (!(error instanceof StaleSocketError)) throw error;
    const left = Math.max(1, timeoutMs - Math.round(performance.now() - started));
    return fetchOnce(url, method, left, ignoreTlsErrors);
  }
}

class StaleSocketError extends Error {}

function fetchOnce(
  url: URL,
  method: 'GET' | 'HEAD',
  timeoutMs: number,
  ignoreTlsErrors = false,
): Promise<FetchedResponse> {
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, value?: FetchedResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as FetchedResponse);
    };
    const request = transport.request(
      url,
      {
        method,
        agent: secure ? (ignoreTlsErrors ? agents.insecure : agents.https) : agents.http,
        headers: { 'user-agent': 'roost-monitor', accept: '*/*' },
      },
      (response) => {
        const socket = response.socket as TLSSocket;
        let certificateExpiresAt: number | null = null;
        if (secure && typeof socket.getPeerCertificate === 'function') {
          const validTo = socket.getPeerCertificate()?.valid_to;
          if (validTo) certificateExpiresAt = Date.parse(validTo);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size >= maxBodyBytes) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= maxBodyBytes) {
            finish(null, done());
            response.destroy();
          }
        });
        const done = (): FetchedResponse => ({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          certificateExpiresAt,
        });
        response.on('end', () => finish(null, done()));
        response.on('error', (error) => finish(error));
      },
    );
    const timer = setTimeout(() => {
      finish(new Error(`timed out after ${timeoutMs} ms`));
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => {
      const stale = request.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET';
      finish(stale ? new StaleSocketError(error.message) : error);
    });
    request.end();
  });
}
