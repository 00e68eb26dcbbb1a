import type { Logger } from '../../observability/index.ts';
import type { PublicStatusDeps } from '../../status/index.ts';
import { type CachedDocument, cachedDocument, html } from './documents.ts';
import { notFoundPage, statusPagePolicy } from './page.ts';
import { checkPage, type PageChecker } from './page-check.ts';
import { pageThread } from './renderer.ts';

export type { CachedDocument } from './documents.ts';

export const notFoundDocument = await cachedDocument(
  404,
  html,
  String(await notFoundPage()),
  statusPagePolicy,
);

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
 * Pages read on this thread from the deps given (a test's clock and sources), rendered on the page thread.
 * `roost serve` reads them on the page thread as well (renderer.ts `reader`).
 */
export function localChecker(deps: PublicStatusDeps): PageChecker {
  return (request) => checkPage(deps, pageThread.render, request);
}

/**
 * Rendered status pages: bodies, their gzip and brotli copies and ETags are built once when a page changes
 * (its fingerprint moves), so serving a request is a map lookup, whatever the traffic during an outage.
 * At most one rebuild per page runs at a time; readers keep getting the previous copy meanwhile.
 */
export function createStatusCache(checker: PageChecker, options: StatusCacheOptions) {
  const entries = new Map<string, Entry>();
  const now = options.now ?? (() => performance.now());

  const refresh = async (key: string, entry: Entry, slug: string, base: string) => {
    try {
      const held = entry.documents ? entry.fingerprint : undefined;
      const check = await checker({ slug, base, url: options.urlOf(slug), held });
      entry.checkedAt = now();
      if (check.changed) entry.documents = check.documents;
      entry.fingerprint = check.fingerprint;
    } catch (error) {
      options.logger?.error({ err: error, slug }, 'status page refresh failed');
      if (!entry.documents) throw error;
    } finally {
      entry.refreshing = undefined;
      if (!entries.has(key)) entries.set(key, entry);
    }
  };

  /** Starts the page's check when its copy was checked `revalidateMs` ago or more (one at a time). */
  const checkWhenDue = (key: string, entry: Entry, slug: string, base: string) => {
    if (now() - entry.checkedAt >= options.revalidateMs) entry.refreshing ??= refresh(key, entry, slug, base);
    return entry.refreshing;
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
      const refreshing = checkWhenDue(key, entry, slug, base);
      // Readers with a copy keep it while the rebuild runs; readers of a page not built yet wait for it.
      if (refreshing && (!entry.documents || options.revalidateMs === 0)) await refreshing;
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
      if (options.revalidateMs === 0) return undefined;
      // A failed check is logged by refresh; readers keep the copy they have.
      checkWhenDue(key, entry, slug, base)?.catch(() => {});
      return entry.documents;
    },
    /** Forget every page (tests, configuration changes). */
    clear(): void {
      entries.clear();
    },
  };
}

export type StatusCache = ReturnType<typeof createStatusCache>;
