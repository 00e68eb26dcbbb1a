/**
 * Bounded local HTTP targets for bench/probes.ts, in their own process so their CPU is not counted as the
 * prober's: `count` servers on loopback answering a small JSON body, and a `/hits` counter on the first.
 * Prints `{"ports":[…]}` on standard output once listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const count = Number(process.argv[2] ?? 20);
let hits = 0;
const body = '{"status":"ok","checks":{"database":{"status":"ok"}}}';
const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const server = http.createServer((request, response) => {
    if (request.url === '/hits') {
      response.end(String(hits));
      return;
    }
    hits += 1;
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
  server.keepAliveTimeout = 120_000;
  server.maxConnections = 2_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
