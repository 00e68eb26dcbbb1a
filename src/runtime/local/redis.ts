import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { InstanceLayout } from './layout.ts';
import { asUser, type ProcessRecord, spawnDetached } from './processes.ts';

export const defaultRedisServerPath = '/usr/bin/redis-server';

/** redis.conf holds `requirepass`, so it is a secret file (0600, tmpfs), never an argument. */
export function redisConfig(layout: InstanceLayout, port: number, password: string): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    'save ""',
    'appendonly no',
    'daemonize no',
    `dir ${layout.cacheDirectory}`,
    'logfile ""',
    `requirepass ${password}`,
    '',
  ].join('\n');
}

export function startRedis(
  serverPath: string,
  layout: InstanceLayout,
  configFile: string,
  logFile: string,
): ProcessRecord {
  const [command, args] = asUser('redis', serverPath, [configFile]);
  return spawnDetached(command, args, {
    env: { PATH: '/usr/bin:/bin' },
    cwd: layout.cacheDirectory,
    logFile,
  });
}

/** AUTH + PING over a raw socket, the password read from its secret file: true on PONG. */
export function redisAccepting(port: number, passwordFile: string): Promise<boolean> {
  let password: string;
  try {
    password = readFileSync(passwordFile, 'utf8');
  } catch {
    return Promise.resolve(false);
  }
  return pingRedis(port, password);
}

/** AUTH + PING over a raw socket on loopback: true when the server answers PONG. */
export function pingRedis(port: number, password: string): Promise<boolean> {
  const command = (...parts: string[]) =>
    `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write(command('AUTH', password) + command('PING')));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG\r\n')) finish(true);
      else if (/(^|\r\n)-/.test(reply)) finish(false);
    });
  });
}
