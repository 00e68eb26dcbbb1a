/**
 * The status page thread (see renderer.ts): it renders snapshots it is given, or checks and renders pages it
 * reads itself from a store it opened, so a page rebuilt every second during an outage does not hold up the
 * requests its process is answering.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import {
  type ComponentHealthSource,
  monitorHealth,
  monitorUptime,
  rememberSettledDays,
  type StatusSnapshot,
  type UptimeSource,
} from '../../status/index.ts';
import { openStore, type Store } from '../../store/index.ts';
import { renderDocuments } from './documents.ts';
import { checkPage, type PageCheckRequest } from './page-check.ts';

/** Where a reader's store is: what `openStore` takes (a PostgreSQL URL stays in memory, as on the main thread). */
export interface StoreLocation {
  databaseUrl: string | undefined;
  dataDir: string;
}

export type PageThreadRequest =
  | { kind: 'render'; id: number; snapshot: StatusSnapshot; base: string; url: string }
  | {
      kind: 'check';
      id: number;
      reader: number;
      location: StoreLocation;
      request: PageCheckRequest;
      /** The caller's clock, in milliseconds: the page is read as of this instant. */
      now: number;
    }
  | { kind: 'close'; id: number; reader: number };

// This thread only (Linux sets a thread's niceness): the serving event loop goes first when both want a core.
try {
  setPriority(0, 10);
} catch {}

export type PageThreadAnswer = { id: number; result: unknown } | { id: number; error: string };

const render = async (snapshot: StatusSnapshot, base: string, url: string) =>
  new Map(await renderDocuments(snapshot, base, url));

interface Source {
  store: Store;
  health: ComponentHealthSource;
  /** Monitoring's roll-ups, days that are over remembered: a page rebuilt every second reads today's only. */
  uptimeAt(now: Date): UptimeSource;
}

/** Each reader's store and sources, opened at its first check. */
const sources = new Map<number, Promise<Source>>();

function sourceOf(reader: number, location: StoreLocation): Promise<Source> {
  let source = sources.get(reader);
  if (!source) {
    // One connection: checks of one reader come one page at a time.
    const opening = openStore({ ...location, maxConnections: 1 }).then((store) => ({
      store,
      health: monitorHealth(store),
      uptimeAt: rememberSettledDays(monitorUptime(store)),
    }));
    // A store that failed to open is tried again at the next check.
    opening.catch(() => sources.get(reader) === opening && sources.delete(reader));
    sources.set(reader, opening);
    source = opening;
  }
  return source;
}

async function answer(message: PageThreadRequest): Promise<unknown> {
  switch (message.kind) {
    case 'render':
      return render(message.snapshot, message.base, message.url);
    case 'check': {
      const { store, health, uptimeAt } = await sourceOf(message.reader, message.location);
      const now = new Date(message.now);
      const deps = { store, health, clock: { now: () => now }, uptime: uptimeAt(now) };
      return checkPage(deps, render, message.request);
    }
    case 'close': {
      const source = sources.get(message.reader);
      sources.delete(message.reader);
      await (await source?.catch(() => undefined))?.store.close();
      return null;
    }
  }
}

parentPort?.on('message', async (message: PageThreadRequest) => {
  try {
    parentPort?.postMessage({ id: message.id, result: await answer(message) } satisfies PageThreadAnswer);
  } catch (error) {
    parentPort?.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies PageThreadAnswer);
  }
});
