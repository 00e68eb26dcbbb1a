import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
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

/** Binds a Hono app (HTTPS when `tls` is given); a port in use becomes a clear `unavailable` error. */
export function listen<E extends Env>(
  app: Hono<E>,
  address: ListenAddress,
  tls?: TlsFiles,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = tls
      ? serve({
          fetch: app.fetch,
          hostname: address.host,
          port: address.port,
          createServer: createHttpsServer,
          serverOptions: { cert: tls.cert, key: tls.key },
        })
      : serve({ fetch: app.fetch, hostname: address.host, port: address.port });
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
