import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/** What a prepared answer depends on: the request line and the three headers that choose a copy. */
export interface PreparedRequest {
  method: 'GET' | 'HEAD';
  /** The request target as sent (origin form: path and query, still escaped). */
  target: string;
  host: string | undefined;
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
}

/**
 * An answer made of prepared bytes. `headers` is the same object for every answer of one copy: the lane
 * serialises it once and keeps the bytes beside it.
 */
export interface PreparedAnswer {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: Buffer | null;
}

/**
 * Answers a request from prepared bytes, or declines (undefined) and the request goes to the full HTTP
 * server. Called for GET and HEAD only; it must not throw.
 */
export type FastPath = (request: PreparedRequest) => PreparedAnswer | undefined;

/** Node's defaults for the same limits: 16 KiB of request head, 5 s keep-alive, 60 s to send a head. */
const maxHeadBytes = 16 * 1024;
const keepAliveMs = 5_000;
const headTimeoutMs = 60_000;
const crlf2 = Buffer.from('\r\n\r\n');
const requestLine = /^(GET|HEAD) (\/[\x21-\x7e]*) HTTP\/1\.1$/;
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t ]*([\t\x20-\x7e\x80-\xff]*?)[\t ]*$/;

/**
 * Parses one request head (without its blank line) when it is a plain GET or HEAD the lane may answer:
 * HTTP/1.1, origin form, one Host, no body, no upgrade or expectation, well-formed header lines. Anything
 * else is undefined, and the connection goes to Node's parser, which answers or refuses it by the book.
 */
export function parsePlainRequest(head: string): PreparedRequest | undefined {
  const lines = head.split('\r\n');
  const line = requestLine.exec(lines[0] as string);
  if (!line) return undefined;
  let host: string | undefined;
  let acceptEncoding: string | undefined;
  let ifNoneMatch: string | undefined;
  for (let index = 1; index < lines.length; index++) {
    // A bare CR or LF inside a line, folded lines and malformed names all fail this pattern.
    const header = headerLine.exec(lines[index] as string);
    if (!header) return undefined;
    const name = (header[1] as string).toLowerCase();
    const value = header[2] as string;
    switch (name) {
      case 'host':
        if (host !== undefined) return undefined;
        host = value;
        break;
      case 'accept-encoding':
        acceptEncoding = acceptEncoding === undefined ? value : `${acceptEncoding}, ${value}`;
        break;
      case 'if-none-match':
        ifNoneMatch = ifNoneMatch === undefined ? value : `${ifNoneMatch}, ${value}`;
        break;
      case 'connection':
        if (value.toLowerCase() !== 'keep-alive') return undefined;
        break;
      // Framing, protocol switches and expectations are the full server's business.
      case 'content-length':
      case 'transfer-encoding':
      case 'upgrade':
      case 'expect':
        return undefined;
    }
  }
  if (host === undefined) return undefined;
  return { method: line[1] as 'GET' | 'HEAD', target: line[2] as string, host, acceptEncoding, ifNoneMatch };
}

interface Serialised {
  status: number;
  /** Status line and headers, without Date and the closing blank line. */
  head: Buffer;
  /** The whole GET answer for the second `second`. */
  second: number;
  whole: Buffer | undefined;
  wholeBody: Buffer | null;
}

/** The Date header, made once a second as Node's server does. */
function dateClock() {
  let second = -1;
  let line = Buffer.alloc(0);
  return {
    current(): { second: number; line: Buffer } {
      const now = Math.floor(Date.now() / 1_000);
      if (now !== second) {
        second = now;
        line = Buffer.from(
          `date: ${new Date(now * 1_000).toUTCString()}\r\nconnection: keep-alive\r\nkeep-alive: timeout=5\r\n\r\n`,
        );
      }
      return { second, line };
    },
  };
}

/**
 * The fast lane of an HTTP listener: reads requests off the socket itself and answers the ones `fastPath`
 * has prepared bytes for, with one write each (status line, headers and body built once per copy and
 * second). It skips what costs Node's HTTP server most per request (request and response objects, header
 * validation, events). At the first request it does not answer — any method, a body, an upgrade, HTTP/1.0,
 * a malformed head, a head over 16 KiB — it hands the connection with the bytes read so far to the full
 * `server`, which serves it from then on. Responses stay in order: the lane's are written before the
 * hand-over.
 */
export function fastLane(fastPath: FastPath, server: Server) {
  const sockets = new Set<Socket>();
  const serialised = new WeakMap<object, Serialised>();
  const clock = dateClock();

  const serialise = (answer: PreparedAnswer): Serialised => {
    let known = serialised.get(answer.headers);
    if (!known || known.status !== answer.status) {
      let text = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n`;
      for (const [name, value] of Object.entries(answer.headers)) text += `${name}: ${value}\r\n`;
      known = {
        status: answer.status,
        head: Buffer.from(text, 'latin1'),
        second: -1,
        whole: undefined,
        wholeBody: null,
      };
      serialised.set(answer.headers, known);
    }
    return known;
  };

  const write = (socket: Socket, request: PreparedRequest, answer: PreparedAnswer) => {
    const known = serialise(answer);
    const { second, line } = clock.current();
    if (request.method === 'HEAD' || answer.body === null) {
      socket.write(Buffer.concat([known.head, line]));
      return;
    }
    if (known.second !== second || known.wholeBody !== answer.body) {
      known.whole = Buffer.concat([known.head, line, answer.body]);
      known.wholeBody = answer.body;
      known.second = second;
    }
    socket.write(known.whole as Buffer);
  };

  return {
    /** The listener's `connection` handler. */
    accept(socket: Socket): void {
      sockets.add(socket);
      let pending: Buffer | undefined;
      const ignore = () => {};
      const idle = () => socket.destroy();

      const handOver = () => {
        socket.off('data', onData);
        socket.off('error', ignore);
        socket.off('timeout', idle);
        socket.off('close', forget);
        socket.setTimeout(0);
        sockets.delete(socket);
        if (pending?.length) socket.unshift(pending);
        pending = undefined;
        server.emit('connection', socket);
      };

      const serve = () => {
        while (pending) {
          // A client that sends faster than it reads waits until its answers have drained.
          if (socket.writableNeedDrain) {
            socket.pause();
            socket.once('drain', () => {
              socket.resume();
              serve();
            });
            return;
          }
          const end = pending.indexOf(crlf2);
          if (end === -1) {
            if (pending.length > maxHeadBytes || pending.includes('\n\n')) handOver();
            return;
          }
          const request =
            end <= maxHeadBytes ? parsePlainRequest(pending.toString('latin1', 0, end)) : undefined;
          const answer = request && fastPath(request);
          if (!request || !answer) return handOver();
          pending = end + 4 === pending.length ? undefined : pending.subarray(end + 4);
          headStarted = performance.now();
          write(socket, request, answer);
        }
      };

      // When the head now being read began: a client that sends a byte now and then is not idle, but it
      // does not get longer than Node's headers timeout.
      let headStarted = 0;
      const onData = (chunk: Buffer) => {
        if (pending) pending = Buffer.concat([pending, chunk]);
        else {
          pending = chunk;
          headStarted = performance.now();
        }
        serve();
        if (pending && performance.now() - headStarted > headTimeoutMs) socket.destroy();
      };
      const forget = () => sockets.delete(socket);

      socket.setNoDelay(true);
      // Idle: nothing read or written for 5 s. Node's socket timeout does not count a connection whose
      // answers are still draining to the client as idle, but one that has read nothing for two periods is.
      socket.setTimeout(keepAliveMs, idle);
      socket.on('error', ignore);
      socket.on('close', forget);
      socket.on('data', onData);
    },
    /** Closes the connections the lane still holds (the full server closes the ones handed over). */
    closeAll(): void {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
