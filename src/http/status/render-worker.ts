/**
 * The thread that renders status pages (see renderer.ts): snapshot in, documents out, so a page rebuilt
 * every second during an outage does not hold up the requests its process is answering.
 */
import { parentPort } from 'node:worker_threads';
import type { StatusSnapshot } from '../../status/index.ts';
import { renderDocuments } from './documents.ts';

export interface RenderRequest {
  id: number;
  snapshot: StatusSnapshot;
  base: string;
  url: string;
}

parentPort?.on('message', async ({ id, snapshot, base, url }: RenderRequest) => {
  try {
    parentPort?.postMessage({ id, documents: await renderDocuments(snapshot, base, url) });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
