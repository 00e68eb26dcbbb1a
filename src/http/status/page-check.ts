import {
  type PublicStatusDeps,
  readPublicStatus,
  type StatusSnapshot,
  statusFingerprint,
} from '../../status/index.ts';
import type { CachedDocument } from './documents.ts';

/** One check of a page: which page, under which base, and the fingerprint of the copy held (if any). */
export interface PageCheckRequest {
  slug: string;
  base: string;
  /** The page's canonical address (feeds and JSON link to it). */
  url: string;
  /** The fingerprint of the documents the cache holds; undefined when it holds none. */
  held: string | undefined;
}

/**
 * What a check found: the page's fingerprint now, and when it moved from the one held, the new documents
 * (undefined for a slug without a page).
 */
export type PageCheck =
  | { changed: false; fingerprint: string | undefined }
  | { changed: true; fingerprint: string | undefined; documents: Map<string, CachedDocument> | undefined };

/** Checks one page: where the documents come from is the caller's (in this thread or on the page thread). */
export type PageChecker = (request: PageCheckRequest) => Promise<PageCheck>;

export type Render = (
  snapshot: StatusSnapshot,
  base: string,
  url: string,
) => Promise<Map<string, CachedDocument>>;

/**
 * The check itself: the fingerprint (a few small reads), and only when it moved, the snapshot and its
 * rendering. A page that does not exist (any more) is a change to no documents.
 */
export async function checkPage(
  deps: PublicStatusDeps,
  render: Render,
  request: PageCheckRequest,
): Promise<PageCheck> {
  const fingerprint = await statusFingerprint(deps, request.slug);
  if (fingerprint !== undefined && fingerprint === request.held) return { changed: false, fingerprint };
  const snapshot = fingerprint === undefined ? undefined : await readPublicStatus(deps, request.slug);
  if (!snapshot) return { changed: true, fingerprint: undefined, documents: undefined };
  return { changed: true, fingerprint, documents: await render(snapshot, request.base, request.url) };
}
