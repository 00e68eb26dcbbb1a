import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import type { Logger, Metrics, Readiness } from '../../observability/index.ts';
import type { PublicStatusDeps, SubscriptionDeps } from '../../status/index.ts';
import { errorResponse } from '../errors.ts';
import type { FastPath, PreparedAnswer } from '../fast-lane.ts';
import { healthRoutes } from '../health.ts';
import { requestMetrics } from '../middleware/metrics.ts';
import {
  type CachedDocument,
  createStatusCache,
  localChecker,
  notFoundDocument,
  type StatusCache,
} from './cache.ts';
import { postmortemPdfHandler } from './postmortem-pdf.ts';
import { type PageReader, pageThread, type StoreLocation } from './renderer.ts';
import { subscriptionHandlers } from './subscriptions.ts';

export interface StatusAppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness(): Promise<Readiness>;
  /** What the pages show; without it the server answers health checks only. */
  pages?: PublicStatusDeps & {
    /** Pages answer on `{slug}.status.{domain}`. */
    domain: string;
    /** How often a cached page asks whether it changed (default 1 s). */
    revalidateMs?: number;
    /**
     * The store the page thread opens to read pages itself, with monitoring's health and uptime sources (as
     * `roost serve` does): checks and rebuilds then cost the serving event loop nothing. Without it, pages
     * are read here from the deps given (only rendered on the thread).
     */
    readFrom?: StoreLocation | undefined;
  };
  /** Email subscriptions; without them the subscribe form answers with the plain 404 page. */
  subscriptions?: SubscriptionDeps | undefined;
}

const slugPattern = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

/** Which page a request is for: by `Host: {slug}.status.{domain}`, else by `/s/{slug}/…`. */
export function routeOf(
  host: string | undefined,
  path: string,
  domain: string,
): { slug: string; base: string; rest: string } | undefined {
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  const suffix = `.status.${domain.toLowerCase()}`;
  if (name.endsWith(suffix)) {
    const slug = name.slice(0, -suffix.length);
    return slugPattern.test(slug) ? { slug, base: '', rest: path } : undefined;
  }
  const match = /^\/s\/([^/]+)(\/.*)?$/.exec(path);
  if (!match || !slugPattern.test(match[1] as string)) return undefined;
  return { slug: match[1] as string, base: `/s/${match[1]}`, rest: match[2] ?? '/' };
}

/** br, then gzip, then identity, as the client accepts them (a `q=0` refuses). */
export function negotiate(acceptEncoding: string | undefined): 'br' | 'gzip' | 'identity' {
  if (!acceptEncoding) return 'identity';
  let br = false;
  let gzip = false;
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...parameters] = part.trim().toLowerCase().split(';');
    const refused = parameters.some((parameter) => /^\s*q=0(\.0*)?\s*$/.test(parameter));
    if (refused) continue;
    if (token === 'br') br = true;
    else if (token === 'gzip' || token === '*') gzip = true;
  }
  return br ? 'br' : gzip ? 'gzip' : 'identity';
}

/** The answer to a request for a prepared document: a 304 when the client has this copy, else the copy. */
function answerOf(
  document: CachedDocument,
  acceptEncoding: string | undefined,
  ifNoneMatch: string | undefined,
): PreparedAnswer {
  const copy = document.copies[negotiate(acceptEncoding)];
  if (
    document.status === 200 &&
    ifNoneMatch &&
    ifNoneMatch.split(',').some((tag) => tag.trim() === copy.etag)
  )
    return { status: 304, headers: copy.notModifiedHeaders, body: null };
  return { status: document.status, headers: copy.headers, body: copy.body };
}

/** Answers from the prepared copies: no rendering, compression, hashing or header building per request. */
export function sendDocument(document: CachedDocument, request: Request): Response {
  const answer = answerOf(
    document,
    request.headers.get('accept-encoding') ?? undefined,
    request.headers.get('if-none-match') ?? undefined,
  );
  // The Buffer itself (a Uint8Array): the Node adapter writes it as it is, without a copy.
  const body =
    request.method === 'HEAD' || answer.body === null
      ? null
      : (answer.body as unknown as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: answer.status, headers: { ...answer.headers } });
}

/** Page paths end without a slash, except the page itself (`/`). */
const documentPath = (rest: string) => (rest.length > 1 && rest.endsWith('/') ? rest.slice(0, -1) : rest);

/** The public status server: one status page per instance, routed by Host or `/s/{instance}`. */
export function createStatusApp(deps: StatusAppDeps): Hono {
  return createStatusServer(deps).app;
}

export interface StatusServer {
  app: Hono;
  fastPath: FastPath | undefined;
  /** Lets the page thread's connection to the store go (after the listener is closed). */
  close(): Promise<void>;
}

/**
 * The status server as a Hono app plus a fast path: a GET or HEAD of a page whose documents are cached is
 * answered straight from the prepared bytes (by the listener's fast lane: no Request, Response or
 * middleware objects); everything else (first reads, subscriptions, health, 404s) goes
 * through the app. Both share one cache. Post-mortem PDFs are stored bytes, answered by the app.
 */
export function createStatusServer(deps: StatusAppDeps): StatusServer {
  const app = new Hono();
  app.use(requestMetrics(deps.metrics, 'status'));
  // Public: health only, never metrics.
  app.route('/', healthRoutes({ readiness: deps.readiness }));
  const pages = deps.pages;
  let fastPath: FastPath | undefined;
  let reader: PageReader | undefined;
  if (pages) {
    const threaded = pages.readFrom && pageThread.reader(pages.readFrom);
    reader = threaded;
    const checker = threaded
      ? (request: Parameters<PageReader['check']>[0]) => threaded.check(request, pages.clock.now())
      : localChecker(pages);
    const cache: StatusCache = createStatusCache(checker, {
      revalidateMs: pages.revalidateMs ?? 1_000,
      maxPages: 10_000,
      urlOf: (slug) => `https://${slug}.status.${pages.domain}`,
      logger: deps.logger,
    });
    const subscriptions = subscriptionHandlers(deps.subscriptions);
    const postmortemPdfs = postmortemPdfHandler(pages, cache, (request) =>
      sendDocument(notFoundDocument, request),
    );
    app.on(['GET', 'HEAD', 'POST'], '*', async (context) => {
      const route = routeOf(context.req.header('host'), context.req.path, pages.domain);
      if (!route) return sendDocument(notFoundDocument, context.req.raw);
      const answered = await subscriptions(context, route.slug, route.base, route.rest);
      if (answered) return answered;
      if (context.req.method === 'POST') return sendDocument(notFoundDocument, context.req.raw);
      const pdf = await postmortemPdfs(context.req.raw, route.slug, route.base, route.rest);
      if (pdf) return pdf;
      const documents = await cache.documents(route.slug, route.base);
      return sendDocument(documents?.get(documentPath(route.rest)) ?? notFoundDocument, context.req.raw);
    });
    const recorders = {
      GET: deps.metrics.http.route('status', 'GET', '/*'),
      HEAD: deps.metrics.http.route('status', 'HEAD', '/*'),
    };
    fastPath = (request) => {
      const started = performance.now();
      const target = request.target;
      const query = target.indexOf('?');
      const path = query === -1 ? target : target.slice(0, query);
      // Escaped paths take the app's way, which decodes them.
      if (path.includes('%')) return undefined;
      const route = routeOf(request.host, path, pages.domain);
      const document = route && cache.ready(route.slug, route.base)?.get(documentPath(route.rest));
      if (!document) return undefined;
      const answer = answerOf(document, request.acceptEncoding, request.ifNoneMatch);
      recorders[request.method].record(answer.status, (performance.now() - started) / 1_000);
      return answer;
    };
  }
  app.notFound((context) => context.text('No status page here.', 404));
  app.onError((error, context) => errorResponse(context, error, deps.logger));
  return { app, fastPath, close: async () => reader?.close() };
}
