import { Worker } from 'node:worker_threads';
import { RoostError } from '../../core/errors.ts';
import type { StatusSnapshot } from '../../status/index.ts';
import type { CachedDocument, EncodedCopy } from './documents.ts';
import type { RenderRequest } from './render-worker.ts';

type Answer = { id: number; documents: Array<[string, CachedDocument]> } | { id: number; error: string };

/** A copy as it crosses from the thread: its bodies arrive as plain Uint8Arrays. */
function asBuffers(document: CachedDocument): CachedDocument {
  const copy = (encoded: EncodedCopy): EncodedCopy => ({
    ...encoded,
    body: Buffer.from(encoded.body.buffer, encoded.body.byteOffset, encoded.body.byteLength),
  });
  const { identity, gzip, br } = document.copies;
  return { status: document.status, copies: { identity: copy(identity), gzip: copy(gzip), br: copy(br) } };
}

/**
 * Renders status pages on one worker thread per process, started at the first page and kept (while idle it
 * does not keep the process alive). The serving event loop only reads the snapshot and swaps the documents in.
 * A thread that fails fails the renders in flight (the cache keeps its previous copies and logs it); the
 * next render starts a new one.
 */
function createRenderer() {
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<
    number,
    { resolve(documents: Map<string, CachedDocument>): void; reject(error: Error): void }
  >();

  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker = undefined;
  };

  const start = (): Worker => {
    const thread = new Worker(new URL('./render-worker.ts', import.meta.url));
    thread.unref();
    thread.on('message', (answer: Answer) => {
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      if (pending.size === 0) thread.unref();
      if ('error' in answer)
        waiting.reject(new RoostError('internal', `status page rendering: ${answer.error}`));
      else waiting.resolve(new Map(answer.documents.map(([path, document]) => [path, asBuffers(document)])));
    });
    thread.on('error', (error: Error) => {
      if (worker === thread) failAll(error);
    });
    thread.on('exit', (code) => {
      if (worker === thread)
        failAll(new RoostError('internal', `the status page renderer exited (code ${code})`));
    });
    return thread;
  };

  return {
    render(snapshot: StatusSnapshot, base: string, url: string): Promise<Map<string, CachedDocument>> {
      worker ??= start();
      const id = next++;
      const request: RenderRequest = { id, snapshot, base, url };
      const thread = worker;
      return new Promise((resolve, reject) => {
        // Referenced while a render is awaited, so the process waits for it; idle, it keeps nothing alive.
        if (pending.size === 0) thread.ref();
        pending.set(id, { resolve, reject });
        thread.postMessage(request);
      });
    },
  };
}

export const renderer = createRenderer();
