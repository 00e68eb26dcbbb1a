import net from 'node:net';
import type { TcpSettings } from '../records.ts';
import { elapsedSince, type Probe } from './types.ts';

/** TCP: the port accepts a connection within the timeout (443, 80, 22 on front nodes). */
export const probeTcp: Probe<TcpSettings> = (settings, context) =>
  new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host: settings.host, port: settings.port });
    const end = (ok: boolean, message: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok, latencyMs: elapsedSince(started), message });
    };
    const timer = setTimeout(() => end(false, `no answer within ${context.timeoutMs} ms`), context.timeoutMs);
    socket.once('connect', () => end(true, `port ${settings.port} open`));
    socket.once('error', (error) => end(false, error.message));
  });
