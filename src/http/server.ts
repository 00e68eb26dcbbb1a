import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Env, Hono } from 'hono';
import type { ListenAddress } from '../config/index.ts';
import { RoostError } from '../core/errors.ts';

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

/**
 * Answers a request straight from Node's objects when it can (true), before the Hono app sees it: for
 * the few hot paths whose answers are prepared bytes (cached status pages).
 */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface ListenOptions {
  /** HTTPS with these files. */
  tls?: TlsFiles | undefined;
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
          if (!fastPath(request, response)) void honoListener(request, response);
        }
      : honoListener;
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
      : createHttpServer(listener);
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
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}
