import { Worker } from 'node:worker_threads';
import { RoostError } from '../../core/errors.ts';
import type { StatusSnapshot } from '../../status/index.ts';
import type { CachedDocument, EncodedCopy } from './documents.ts';
import type { PageCheck, PageCheckRequest } from './page-check.ts';
import type { PageThreadAnswer, PageThreadRequest, StoreLocation } from './render-worker.ts';

export type { StoreLocation } from './render-worker.ts';

type Documents = Map<string, CachedDocument>;

/** A copy as it crosses from the thread: its bodies arrive as plain Uint8Arrays. */
function asBuffers(documents: Documents): Documents {
  const copy = (encoded: EncodedCopy): EncodedCopy => ({
    ...encoded,
    body: Buffer.from(encoded.body.buffer, encoded.body.byteOffset, encoded.body.byteLength),
  });
  const result: Documents = new Map();
  for (const [path, { status, copies }] of documents)
    result.set(path, {
      status,
      copies: { identity: copy(copies.identity), gzip: copy(copies.gzip), br: copy(copies.br) },
    });
  return result;
}

/** Reads and renders the pages of one store on the page thread; `close` lets the thread's connection go. */
export interface PageReader {
  check(request: PageCheckRequest, now: Date): Promise<PageCheck>;
  close(): Promise<void>;
}

/** Requests as they are posted, without the id the thread answers with. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Posted = WithoutId<PageThreadRequest>;

/**
 * One thread per process for status pages, started at the first page and kept (while idle it does not keep
 * the process alive). It renders snapshots it is given, or reads the pages itself from a store it opens
 * (`reader`), so the serving event loop only swaps documents in. A thread that fails fails the requests in
 * flight (the cache keeps its previous copies and logs it); the next request starts a new one, which opens
 * its stores again.
 */
function createPageThread() {
  let worker: Worker | undefined;
  let next = 0;
  let readers = 0;
  const pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();

  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker = undefined;
  };

  const start = (): Worker => {
    const thread = new Worker(new URL('./render-worker.ts', import.meta.url));
    thread.unref();
    thread.on('message', (answer: PageThreadAnswer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if (pending.size === 0) thread.unref();
      if ('error' in answer)
        waiting.reject(new RoostError('internal', `status page thread: ${answer.error}`));
      else waiting.resolve(answer.result);
    });
    thread.on('error', (error: Error) => {
      if (worker === thread) failAll(error);
    });
    thread.on('exit', (code) => {
      if (worker === thread)
        failAll(new RoostError('internal', `the status page thread exited (code ${code})`));
    });
    return thread;
  };

  const call = (request: Posted): Promise<unknown> => {
    worker ??= start();
    const id = next++;
    const thread = worker;
    return new Promise((resolve, reject) => {
      // Referenced while an answer is awaited, so the process waits for it; idle, it keeps nothing alive.
      if (pending.size === 0) thread.ref();
      pending.set(id, { resolve, reject });
      thread.postMessage({ ...request, id } as PageThreadRequest);
    });
  };

  return {
    /** Renders a snapshot read by the caller. */
    async render(snapshot: StatusSnapshot, base: string, url: string): Promise<Documents> {
      return asBuffers((await call({ kind: 'render', snapshot, base, url })) as Documents);
    },
    /**
     * A reader of the store at `location`: the thread opens its own connection at the first check, with
     * monitoring's health and uptime sources, and reads each page at the instant given by the caller's clock.
     */
    reader(location: StoreLocation): PageReader {
      const reader = readers++;
      return {
        async check(request, now) {
          const check = (await call({
            kind: 'check',
            reader,
            location,
            request,
            now: now.getTime(),
          })) as PageCheck;
          return check.changed && check.documents
            ? { ...check, documents: asBuffers(check.documents) }
            : check;
        },
        async close() {
          // A thread that is not running holds no connection.
          if (worker) await call({ kind: 'close', reader });
        },
      };
    },
  };
}

export const pageThread = createPageThread();
