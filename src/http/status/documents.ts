import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { StatusSnapshot } from '../../status/index.ts';
import { postmortemPath } from '../../status/index.ts';
import { atomFeed, rssFeed } from './feeds.ts';
import { historyPage, postmortemPage, statusPage, statusPagePolicy } from './page.ts';
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

/**
 * Builds the three copies of a document. Pages are built on the page thread (render-worker.ts), which runs
 * at a lower priority than the serving event loop: compression runs there, synchronously, rather than on
 * libuv's shared thread pool at the serving loop's priority.
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
  const gzipped = gzipSync(identity, { level: 9 });
  const brotli = brotliCompressSync(identity, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
      [constants.BROTLI_PARAM_LGWIN]: brotliWindow(identity.length),
      [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
    },
  });
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

export const html = 'text/html; charset=utf-8';

/**
 * Every document of one page from its snapshot, by the path under the page's base: rendered, compressed and
 * tagged. Pure work on data, so it runs off the serving event loop (render-worker.ts).
 */
export async function renderDocuments(
  snapshot: StatusSnapshot,
  base: string,
  url: string,
): Promise<Array<[string, CachedDocument]>> {
  const json = 'application/json; charset=utf-8';
  const page = String(await statusPage(snapshot, base));
  const history = String(await historyPage(snapshot, base));
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
  return pending.map(([path], index) => [path, built[index] as CachedDocument]);
}
