import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Env, Hono } from 'hono';
import type { ListenAddress } from '../config/index.ts';
import { RoostError } from '../core/errors.ts';
import { type FastPath, fastLane } from './fast-lane.ts';

export interface RunningServer {
  /** The address actually bound (port 0 resolves to a real port). */
  address: ListenAddress;
  url: string;
  close(): Promise<void>;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export type { FastPath } from './fast-lane.ts';

/** The fast path through Node's request and response objects: for HTTPS and connections handed over. */
function answeredByFastPath(fastPath: FastPath, request: IncomingMessage, response: ServerResponse): boolean {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const answer = fastPath({
    method,
    target: request.url ?? '/',
    host: request.headers.host,
    acceptEncoding: request.headers['accept-encoding'],
    ifNoneMatch: request.headers['if-none-match'],
  });
  if (!answer) return false;
  response.writeHead(answer.status, answer.headers as Record<string, string>);
  response.end(method === 'HEAD' ? undefined : (answer.body ?? undefined));
  return true;
}

export interface ListenOptions {
  /** HTTPS with these files. */
  tls?: TlsFiles | undefined;
  /**
   * Answers prepared bytes before the Hono app sees the request (cached status pages). Over plain HTTP
   * the connections start in the fast lane (fast-lane.ts); over HTTPS it runs on Node's objects.
   */
  fastPath?: FastPath | undefined;
  /** Several processes bind the same address and the kernel spreads connections (SO_REUSEPORT). */
  reusePort?: boolean;
}

/** Binds a Hono app; a port in use becomes a clear `unavailable` error. */
export function listen<E extends Env>(
  app: Hono<E>,
  address: ListenAddress,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const { tls, fastPath } = options;
  return new Promise((resolve, reject) => {
    const honoListener = getRequestListener(app.fetch, { hostname: address.host });
    const listener = fastPath
      ? (request: IncomingMessage, response: ServerResponse) => {
          if (!answeredByFastPath(fastPath, request, response)) void honoListener(request, response);
        }
      : honoListener;
    const http = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
      : createHttpServer(listener);
    // Plain HTTP with a fast path: the lane owns the port and hands connections over to `http`.
    const lane = fastPath && !tls ? fastLane(fastPath, http) : undefined;
    const server = lane ? createNetServer(lane.accept) : http;
    // Node's server tracks its connections (closeAllConnections, the headers and request timeouts) from
    // its 'listening' event; the lane listens for it.
    if (lane) server.once('listening', () => http.emit('listening'));
    server.listen({ port: address.port, host: address.host, reusePort: options.reusePort ?? false });
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the address is already in use' : error.message;
      reject(new RoostError('unavailable', `cannot listen on ${address.host}:${address.port}: ${reason}`));
    });
    server.once('listening', () => {
      const bound = server.address() as AddressInfo;
      const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      const shownHost = host === '0.0.0.0' ? 'localhost' : host;
      resolve({
        address: { host: bound.address, port: bound.port },
        url: `${tls ? 'https' : 'http'}://${shownHost}:${bound.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            if (lane) {
              lane.closeAll();
              http.close();
            }
            http.closeAllConnections();
          }),
      });
    });
  });
}
