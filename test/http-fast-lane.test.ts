import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { type PreparedAnswer, parsePlainRequest } from '../src/http/fast-lane.ts';
import { listen } from '../src/http/server.ts';

describe('parsePlainRequest', () => {
  const parse = (...lines: string[]) => parsePlainRequest(lines.join('\r\n'));

  it('reads a plain GET or HEAD and the headers that choose a copy', () => {
    assert.deepEqual(
      parse(
        'GET /s/acme/?x=1 HTTP/1.1',
        'Host: acme.status.example.test',
        'Accept-Encoding: gzip',
        'accept-encoding:br ',
        'If-None-Match: "a"',
        'Connection: Keep-Alive',
        'User-Agent: test',
      ),
      {
        method: 'GET',
        target: '/s/acme/?x=1',
        host: 'acme.status.example.test',
        acceptEncoding: 'gzip, br',
        ifNoneMatch: '"a"',
      },
    );
    assert.equal(parse('HEAD / HTTP/1.1', 'Host: a')?.method, 'HEAD');
  });

  it('leaves everything else to the full server', () => {
    const refused: string[][] = [
      ['POST / HTTP/1.1', 'Host: a'],
      ['GET / HTTP/1.0', 'Host: a'],
      ['GET http://a/ HTTP/1.1', 'Host: a'],
      ['GET / HTTP/1.1'], // no Host
      ['GET / HTTP/1.1', 'Host: a', 'Host: b'],
      ['GET / HTTP/1.1', 'Host: a', 'Content-Length: 5'],
      ['GET / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'],
      ['GET / HTTP/1.1', 'Host: a', 'Transfer-Encoding : chunked'], // space before the colon
      ['GET / HTTP/1.1', 'Host: a', 'Upgrade: websocket'],
      ['GET / HTTP/1.1', 'Host: a', 'Expect: 100-continue'],
      ['GET / HTTP/1.1', 'Host: a', 'Connection: close'],
      ['GET / HTTP/1.1', 'Host: a', 'X-Long: one', ' folded'],
      ['GET / HTTP/1.1', 'Host: a\nContent-Length: 5'], // a bare LF
      ['GET / HTTP/1.1', 'Host: a\rX: b'], // a bare CR
      ['GET / HTTP/1.1', 'Host: a', 'X: \u0000'],
      ['GET /a b HTTP/1.1', 'Host: a'],
      ['', 'GET / HTTP/1.1', 'Host: a'],
    ];
    for (const lines of refused) assert.equal(parse(...lines), undefined, JSON.stringify(lines));
  });
});

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads `count` answers off a raw connection (bodies by Content-Length; HEAD and 304 have none). */
function readAnswers(socket: Socket, count: number, bodiless: (index: number) => boolean): Promise<Parsed[]> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const answers: Parsed[] = [];
    const timer = setTimeout(
      () => reject(new Error(`${answers.length} of ${count} answers: ${buffer.toString('latin1')}`)),
      10_000,
    );
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const [statusLine = '', ...lines] = buffer.toString('latin1', 0, end).split('\r\n');
        const headers = Object.fromEntries(
          lines.map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
          }),
        );
        const length = bodiless(answers.length) ? 0 : Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        answers.push({
          status: Number(statusLine.split(' ')[1]),
          headers,
          body: buffer.toString('utf8', end + 4, end + 4 + length),
        });
        buffer = buffer.subarray(end + 4 + length);
        if (answers.length === count) {
          clearTimeout(timer);
          socket.off('data', onData);
          resolve(answers);
          return;
        }
      }
    };
    socket.on('data', onData);
  });
}

async function laneServer() {
  const body = Buffer.from('prepared bytes');
  const big = Buffer.alloc(64 * 1024, 'b');
  const headers = { 'content-type': 'text/plain', etag: '"v1"', 'content-length': String(body.length) };
  const bigHeaders = { 'content-type': 'text/plain', 'content-length': String(big.length) };
  let fast = 0;
  const app = new Hono();
  app.get('*', (context) => context.text(`app ${context.req.path}`));
  app.post('*', async (context) => context.text(`posted ${await context.req.text()}`));
  const running = await listen(
    app,
    { host: '127.0.0.1', port: 0 },
    {
      fastPath: (request): PreparedAnswer | undefined => {
        if (request.target !== '/big' && request.target !== '/prepared') return undefined;
        fast++;
        if (request.target === '/big') return { status: 200, headers: bigHeaders, body: big };
        if (request.ifNoneMatch === '"v1"') return { status: 304, headers: { etag: '"v1"' }, body: null };
        return { status: 200, headers, body };
      },
    },
  );
  const open = async () => {
    const socket = connect(running.address.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  };
  return { running, open, fast: () => fast };
}

describe('the fast lane of an HTTP listener', () => {
  it('answers pipelined requests in order and hands the connection over at the first it does not answer', async (t) => {
    const lane = await laneServer();
    t.after(() => lane.running.close());
    const socket = await lane.open();
    t.after(() => socket.destroy());
    const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: a\r\n${extra}\r\n`;
    const answers = readAnswers(socket, 7, (index) => index === 1 || index === 2);
    socket.write(
      get('/prepared') +
        get('/prepared', 'If-None-Match: "v1"\r\n') +
        `HEAD /prepared HTTP/1.1\r\nHost: a\r\n\r\n` +
        get('/other') +
        // After the hand-over the body is framed by Node's parser; it is not read as a request.
        `POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 24\r\n\r\nGET /prepared HTTP/1.1\r\n` +
        get('/prepared') +
        get('/prepared'),
    );
    const [first, notModified, head, other, posted, afterwards, last] = await answers;
    assert.equal(first?.status, 200);
    assert.equal(first?.body, 'prepared bytes');
    assert.equal(first?.headers['content-type'], 'text/plain');
    assert.match(first?.headers.date ?? '', /GMT$/);
    assert.equal(notModified?.status, 304);
    assert.equal(notModified?.headers.etag, '"v1"');
    assert.equal(head?.status, 200);
    assert.equal(head?.headers['content-length'], '14');
    assert.equal(other?.body, 'app /other');
    assert.equal(posted?.body, 'posted GET /prepared HTTP/1.1\r\n');
    // Handed over, the connection is Node's; prepared answers still come from the fast path, on Node's objects.
    assert.equal(afterwards?.body, 'prepared bytes');
    assert.equal(last?.body, 'prepared bytes');
    assert.equal(lane.fast(), 5);
  });

  it("leaves malformed and oversized requests to Node's parser, which refuses them", async (t) => {
    const lane = await laneServer();
    t.after(() => lane.running.close());
    const cases: Array<[string, number]> = [
      ['GET /prepared HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n', 400],
      ['GET /prepared HTTP/1.1\r\n\r\n', 400], // no Host
      [`GET /prepared HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`, 431],
      ['GET /prepared HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ];
    for (const [request, status] of cases) {
      const socket = await lane.open();
      const answers = readAnswers(socket, 1, () => false);
      socket.write(request);
      assert.equal((await answers)[0]?.status, status, request.slice(0, 60));
      socket.destroy();
    }
    assert.equal(lane.fast(), 0);
    // A request head cut by bare line feeds is not waited for forever.
    const socket = await lane.open();
    t.after(() => socket.destroy());
    const answers = readAnswers(socket, 1, () => false);
    socket.write('GET /prepared HTTP/1.1\nHost: a\n\n');
    assert.ok((await answers)[0]?.status);
  });

  it('waits for a client that does not read before answering more, and loses nothing', async (t) => {
    const lane = await laneServer();
    t.after(() => lane.running.close());
    const socket = await lane.open();
    t.after(() => socket.destroy());
    socket.pause();
    const count = 400; // 25 MiB of answers, far more than the socket buffers hold
    socket.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(count));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The lane stopped once its writes backed up, so it answered only part of them so far.
    assert.ok(lane.fast() < count, `answered ${lane.fast()} before the client read`);
    const answers = readAnswers(socket, count, () => false);
    socket.resume();
    const all = await answers;
    assert.equal(all.length, count);
    assert.ok(all.every((answer) => answer.status === 200 && answer.body.length === 64 * 1024));
  });

  it('closes idle connections after 5 s and every connection when the listener closes', async (t) => {
    const lane = await laneServer();
    t.after(() => lane.running.close());
    const idle = await lane.open();
    const started = Date.now();
    await new Promise((resolve) => idle.once('close', resolve));
    const waited = Date.now() - started;
    assert.ok(waited >= 4_500 && waited < 15_000, `closed after ${waited} ms`);

    const kept = await lane.open();
    const answers = readAnswers(kept, 1, () => false);
    kept.write('GET /prepared HTTP/1.1\r\nHost: a\r\n\r\n');
    await answers;
    const handedOver = await lane.open();
    const appAnswers = readAnswers(handedOver, 1, () => false);
    handedOver.write('GET /other HTTP/1.1\r\nHost: a\r\n\r\n');
    await appAnswers;
    const closed = Promise.all(
      [kept, handedOver].map((socket) => new Promise((r) => socket.once('close', r))),
    );
    await lane.running.close();
    await closed;
  });
});
