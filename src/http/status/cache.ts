import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Logger } from '../../observability/index.ts';
import {
  type PublicStatusDeps,
  postmortemPath,
  readPublicStatus,
  statusFingerprint,
} from '../../status/index.ts';
import { atomFeed, rssFeed } from './feeds.ts';
import { historyPage, notFoundPage, postmortemPage, statusPage, statusPagePolicy } from './page.ts';
import { statuspageDocuments } from './statuspage-json.ts';

export type Encoding = 'identity' | 'gzip' | 'br';

/** One encoding of a document: its bytes and every header of its answer, ETag and length included. */
export interface EncodedCopy {
  body: Buffer;
  headers: Record<string, string>;
  /** Quoted, as sent: a different tag per encoding (they are different representations). */
  etag: string;
  /** The headers of a 304 for this copy (no length), made once like the others. */
  notModifiedHeaders: Record<string, string>;
}

/** One document in its three encodings, built once per change: a request only picks one. */
export interface CachedDocument {
  status: 200 | 404;
  copies: Record<Encoding, EncodedCopy>;
}

const gzipAsync = promisify(gzip);

/**
 * Brotli at quality 5 with a window fitted to the document: on the status page's documents (0.2–100 KB) it
 * comes within 0.5% of quality 9's size at a twentieth of the cost (quality 9 with the default 4 MiB window
 * took 400 ms of CPU per rebuild of a page's documents, most of it setting up its tables; quality 5 about
 * 20 ms). A page rebuilt every second during an outage must stay cheap; quality 11 would save a further 10%
 * of a few kilobytes.
 */
const brotliQuality = 5;
const brotliWindow = (bytes: number) =>
  Math.min(
    constants.BROTLI_MAX_WINDOW_BITS,
    Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(bytes + 1))),
  );
const brotliAsync = promisify(brotliCompress);

/**
 * Builds the three copies of a document. Compression runs on libuv's thread pool, so a page rebuilt every
 * second during an outage does not hold up the requests the process is answering meanwhile.
 */
export async function cachedDocument(
  status: 200 | 404,
  type: string,
  text: string,
  policy?: string,
): Promise<CachedDocument> {
  const identity = Buffer.from(text);
  const tag = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
  const common: Record<string, string> = {
    'content-type': type,
    // Short: a proxy may share the load of a spike, and the page stays fresh within seconds.
    'cache-control': status === 200 ? 'public, max-age=5' : 'public, max-age=30',
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(policy ? { 'content-security-policy': policy } : {}),
    ...(type.startsWith('application/json') ? { 'access-control-allow-origin': '*' } : {}),
  };
  const [gzipped, brotli] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    brotliAsync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
        [constants.BROTLI_PARAM_LGWIN]: brotliWindow(identity.length),
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  ]);
  const bodies: Record<Encoding, Buffer> = { identity, gzip: gzipped, br: brotli };
  const copy = (encoding: Encoding): EncodedCopy => {
    const etag = `"${tag}${encoding === 'identity' ? '' : `-${encoding}`}"`;
    const body = bodies[encoding];
    const notModifiedHeaders = {
      ...common,
      etag,
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
    };
    return {
      body,
      etag,
      headers: { ...notModifiedHeaders, 'content-length': String(body.length) },
      notModifiedHeaders,
    };
  };
  return { status, copies: { identity: copy('identity'), gzip: copy('gzip'), br: copy('br') } };
}

const html = 'text/html; charset=utf-8';

export const notFoundDocument = await cachedDocument(
  404,
  html,
  String(await notFoundPage()),
  statusPagePolicy,
);

/** Every document of one page, by the path under the page's base. */
async function buildDocuments(
  deps: PublicStatusDeps,
  slug: string,
  base: string,
  url: string,
): Promise<Map<string, CachedDocument> | undefined> {
  const snapshot = await readPublicStatus(deps, slug);
  if (!snapshot) return undefined;
  const json = 'application/json; charset=utf-8';
  // A rebuild is cut into steps with a turn of the event loop between them, so the requests this process
  // answers meanwhile wait for one step at most (a few milliseconds), not the whole rebuild.
  await setImmediate();
  const page = String(await statusPage(snapshot, base));
  await setImmediate();
  const history = String(await historyPage(snapshot, base));
  await setImmediate();
  // Published post-mortems of the history, each on a page of its own; drafts are not in the snapshot.
  const postmortems: Array<[string, Promise<CachedDocument>]> = [];
  for (const incident of snapshot.incidents) {
    if (incident.postmortem === null) continue;
    const text = String(await postmortemPage(snapshot, incident, base));
    postmortems.push([postmortemPath(incident.id), cachedDocument(200, html, text, statusPagePolicy)]);
  }
  const pending: Array<[string, Promise<CachedDocument>]> = [
    ...postmortems,
    ['/', cachedDocument(200, html, page, statusPagePolicy)],
    ['/history', cachedDocument(200, html, history, statusPagePolicy)],
    ['/history.rss', cachedDocument(200, 'application/rss+xml; charset=utf-8', rssFeed(snapshot, url))],
    ['/history.atom', cachedDocument(200, 'application/atom+xml; charset=utf-8', atomFeed(snapshot, url))],
    ...Object.entries(statuspageDocuments(snapshot, url)).map(
      ([path, body]): [string, Promise<CachedDocument>] => [
        `/api/v2/${path}`,
        cachedDocument(200, json, JSON.stringify(body)),
      ],
    ),
  ];
  const built = await Promise.all(pending.map(([, document]) => document));
  return new Map(pending.map(([path], index) => [path, built[index] as CachedDocument]));
}

interface Entry {
  fingerprint: string | undefined;
  checkedAt: number;
  documents: Map<string, CachedDocument> | undefined;
  refreshing: Promise<void> | undefined;
}

export interface StatusCacheOptions {
  /** How often a page asks the store whether it changed; 0 asks on every request. */
  revalidateMs: number;
  /** Pages kept; the oldest is dropped beyond this. */
  maxPages: number;
  /** The canonical address of a page (`https://{slug}.status.{domain}`). */
  urlOf(slug: string): string;
  logger?: Logger | undefined;
  /** Milliseconds for freshness checks (monotonic by default). */
  now?: () => number;
}

/**
 * Rendered status pages: bodies, their gzip and brotli copies and ETags are built once when a page changes
 * (its fingerprint moves), so serving a request is a map lookup, whatever the traffic during an outage.
 * At most one rebuild per page runs at a time; readers keep getting the previous copy meanwhile.
 */
export function createStatusCache(deps: PublicStatusDeps, options: StatusCacheOptions) {
  const entries = new Map<string, Entry>();
  const now = options.now ?? (() => performance.now());

  const refresh = async (key: string, entry: Entry, slug: string, base: string) => {
    try {
      const fingerprint = await statusFingerprint(deps, slug);
      entry.checkedAt = now();
      if (fingerprint === entry.fingerprint && (entry.documents || fingerprint === undefined)) return;
      entry.documents =
        fingerprint === undefined ? undefined : await buildDocuments(deps, slug, base, options.urlOf(slug));
      entry.fingerprint = fingerprint;
    } catch (error) {
      options.logger?.error({ err: error, slug }, 'status page refresh failed');
      if (!entry.documents) throw error;
    } finally {
      entry.refreshing = undefined;
      if (!entries.has(key)) entries.set(key, entry);
    }
  };

  return {
    /** The documents of a page, or undefined for a slug that has none. */
    async documents(slug: string, base: string): Promise<Map<string, CachedDocument> | undefined> {
      const key = `${slug}\n${base}`;
      let entry = entries.get(key);
      if (!entry) {
        if (entries.size >= options.maxPages) entries.delete(entries.keys().next().value as string);
        entry = {
          fingerprint: undefined,
          checkedAt: Number.NEGATIVE_INFINITY,
          documents: undefined,
          refreshing: undefined,
        };
        entries.set(key, entry);
      }
      if (now() - entry.checkedAt >= options.revalidateMs)
        entry.refreshing ??= refresh(key, entry, slug, base);
      // Readers with a copy keep it while the rebuild runs; readers of a page not built yet wait for it.
      if (entry.refreshing && (!entry.documents || options.revalidateMs === 0)) await entry.refreshing;
      return entry.documents;
    },
    /**
     * The documents of a page at once, when they are cached; undefined otherwise, and the caller takes the
     * asynchronous way (`documents`). A copy older than `revalidateMs` is still answered (as `documents`
     * answers readers while a rebuild runs) and starts the check in the background, so a page that changes
     * every second stays on the fast path. With `revalidateMs` 0 every read waits for the check.
     */
    ready(slug: string, base: string): Map<string, CachedDocument> | undefined {
      const key = `${slug}\n${base}`;
      const entry = entries.get(key);
      if (!entry?.documents) return undefined;
      if (now() - entry.checkedAt >= options.revalidateMs) {
        if (options.revalidateMs === 0) return undefined;
        entry.refreshing ??= refresh(key, entry, slug, base);
        // A failed check is logged by refresh; readers keep the copy they have.
        entry.refreshing.catch(() => {});
      }
      return entry.documents;
    },
    /** Forget every page (tests, configuration changes). */
    clear(): void {
      entries.clear();
    },
  };
}

export type StatusCache = ReturnType<typeof createStatusCache>;
