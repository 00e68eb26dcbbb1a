import { performance } from 'node:perf_hooks';
import type { Actor } from '../../auth/actor.ts';

export interface TokenCacheOptions {
  /** How long a resolved token is trusted without asking the database again. */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export interface CachedTokenResolver {
  resolveToken(bearer: string, ip: string | null): Promise<Actor | undefined>;
  /** Drops every cached token: called after each write handled by this process (a revocation takes effect at once). */
  forget(): void;
}

/**
 * Resolving an API token is a database read on every request; this keeps a resolved token for a few
 * seconds (monotonic time, not the domain clock). A token revoked or a user disabled through this process
 * stops working at once; through another process (the CLI, another server), within `ttlMs`.
 * Only successes are cached, so an unknown token always asks the database.
 */
export function cachedTokenResolver(
  resolve: (bearer: string, ip: string | null) => Promise<Actor | undefined>,
  options: TokenCacheOptions,
): CachedTokenResolver {
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, { actor: Actor; until: number }>();
  return {
    async resolveToken(bearer, ip) {
      const cached = entries.get(bearer);
      if (cached && cached.until > now()) {
        // Actors are never changed once built: the same caller gets the same object, a new one a copy.
        if (cached.actor.ip !== ip) cached.actor = { ...cached.actor, ip };
        return cached.actor;
      }
      entries.delete(bearer);
      const actor = await resolve(bearer, ip);
      if (actor) {
        if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string);
        entries.set(bearer, { actor, until: now() + options.ttlMs });
      }
      return actor;
    },
    forget() {
      entries.clear();
    },
  };
}
