/**
 * The API request path without sockets: server CPU time per request for `GET /api/v1/me` (with
 * `Authorization: Bearer <API token>`) against the anchor `GET /bench/hello` (`c.text('hello')`), on the
 * same one Hono app as `bench/api.ts` builds (hello first, the admin app mounted whole after it), SQLite in
 * a temp data dir. Requests go through `@hono/node-server`'s request listener, as in `roost serve`, but with
 * minimal stand-ins for Node's request and response objects instead of a socket: no load generator shares
 * the cores and no HTTP parsing or socket write (the same for both variants) is counted, so this isolates
 * what Roost's code adds and stays steady on a busy machine. Variants interleaved round by round; medians
 * of this process's CPU time. Run: `node bench/api-inprocess.ts` (BENCH_INPROCESS_ROUNDS,
 * BENCH_INPROCESS_REQUESTS per round). Last line: `ratio: X`, hello µs per request ÷ /api/v1/me µs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { loadConfig } from '../src/config/index.ts';
import { systemClock } from '../src/core/clock.ts';
import type { AdminEnv } from '../src/http/middleware/actor.ts';
import { createAdminAppFor, openRoost } from '../src/main.ts';
import { createLogger } from '../src/observability/index.ts';
import { operatorToken } from './operator-token.ts';

const rounds = Number(process.env.BENCH_INPROCESS_ROUNDS ?? 7);
const requests = Number(process.env.BENCH_INPROCESS_REQUESTS ?? 50_000);

const directory = mkdtempSync(path.join(tmpdir(), 'roost-bench-inprocess-'));
const { config } = loadConfig({ env: { ROOST_DATA_DIR: directory, ROOST_LOG_LEVEL: 'warn' } });
const roost = await openRoost(config, createLogger({ level: 'warn', destination: process.stderr }), {
  migrate: true,
  clock: systemClock,
});
try {
  const { token } = await operatorToken(roost);
  const app = new Hono<AdminEnv>();
  app.get('/bench/hello', (context) => context.text('hello'));
  app.route('/', createAdminAppFor(roost));

  const variants = [
    { key: 'hello', name: 'hello (bare Hono)', path: '/bench/hello' },
    { key: 'me', name: 'GET /api/v1/me', path: '/api/v1/me' },
  ];
  const listener = getRequestListener(app.fetch);
  const headers = { host: '127.0.0.1:7070', authorization: `Bearer ${token}` };
  const rawHeaders = Object.entries(headers).flat();
  const socket = { remoteAddress: '127.0.0.1', remotePort: 40_000, remoteFamily: 'IPv4', encrypted: false };
  // What the listener touches of a ServerResponse for a body written at once: status, headers, end.
  const answer = { status: 0, body: '', done: () => {} };
  const response = {
    _contentLength: null,
    _hasBody: true,
    useChunkedEncodingByDefault: true,
    _removedContLen: false,
    writable: true,
    headersSent: false,
    hasHeader: () => false,
    writeHead(status: number) {
      answer.status = status;
      return response;
    },
    end(body?: string) {
      answer.body = body ?? '';
      response._contentLength = null;
      answer.done();
    },
    on: () => response,
    once: () => response,
  };
  const send = async (url: string) => {
    const finished = new Promise<void>((resolve) => {
      answer.done = resolve;
    });
    const request = {
      method: 'GET',
      url,
      headers,
      rawHeaders,
      socket,
      readableEnded: true,
      on() {},
      once() {},
    };
    await listener(request as unknown as IncomingMessage, response as unknown as ServerResponse);
    await finished;
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${answer.body}`);
    return answer.body;
  };
  await send('/bench/hello');
  const me = JSON.parse(await send('/api/v1/me')) as { kind?: string };
  if (me.kind !== 'token') throw new Error('/api/v1/me did not answer for the token');

  const measured = new Map<string, number[]>(variants.map((variant) => [variant.key, []]));
  // Round -1 warms up (JIT, caches) and is not counted.
  for (let round = -1; round < rounds; round++) {
    for (const variant of variants) {
      const url = variant.path;
      const before = process.cpuUsage();
      for (let index = 0; index < requests; index++) await send(url);
      const used = process.cpuUsage(before);
      if (round >= 0) measured.get(variant.key)?.push((used.user + used.system) / requests);
    }
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const summary = variants.map((variant) => {
    const values = measured.get(variant.key) ?? [];
    return { ...variant, median: median(values), low: Math.min(...values), high: Math.max(...values) };
  });
  const hello = summary.find((row) => row.key === 'hello')?.median ?? Number.NaN;
  const rows = [
    ['variant', 'CPU µs/req median', 'range', 'ratio vs hello'],
    ...summary.map((row) => [
      row.name,
      row.median.toFixed(2),
      `${row.low.toFixed(2)}–${row.high.toFixed(2)}`,
      (hello / row.median).toFixed(2),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  process.stdout.write(
    `${rounds} rounds × ${requests} requests per variant, through the Node request listener in this process, no sockets\n`,
  );
  for (const row of rows)
    process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}\n`);
  const meMedian = summary.find((row) => row.key === 'me')?.median ?? Number.NaN;
  process.stdout.write(`ratio: ${(hello / meMedian).toFixed(2)}\n`);
} finally {
  await roost.close();
  rmSync(directory, { recursive: true, force: true });
}
