import { createClient } from '@redis/client';
import type { Config } from './config.ts';

export interface Cache {
  ping(): Promise<void>;
  /** Counts a successful login of `username` and returns the total. */
  countLogin(username: string): Promise<number>;
  close(): Promise<void>;
}

export interface CacheEvents {
  /** The connection was lost or could not be made; called once per outage, not on every retry. */
  unavailable(error: Error): void;
  ready(): void;
}

export function connectCache(config: Config['redis'], events: CacheEvents): Cache {
  const client = createClient({
    socket: {
      host: config.host,
      port: config.port,
      connectTimeout: 2_000,
      // Retry forever, at most every second: the cache may start after the API or restart under it.
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1_000),
    },
    ...(config.password === undefined ? {} : { password: config.password }),
    // Fail commands at once while disconnected instead of queueing them until the cache is back.
    disableOfflineQueue: true,
  });
  let available = true;
  client.on('error', (error: Error) => {
    if (!available) return;
    available = false;
    events.unavailable(error);
  });
  client.on('ready', () => {
    available = true;
    events.ready();
  });
  // Resolves on the first successful connection; failures before it are reported through 'error'.
  client.connect().catch(() => {});

  return {
    ping: async () => {
      await client.ping();
    },
    countLogin: (username) => client.incr(`sample-api:logins:${username}`),
    close: async () => {
      client.destroy();
    },
  };
}
