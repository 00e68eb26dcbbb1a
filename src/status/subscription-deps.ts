import type { AuditLog } from '../audit/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Mailer } from '../notify/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

/** What subscriptions work with: the vault holds the link key, the mailer sends. */
export interface SubscriptionDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  vault: Vault;
  mailer: Mailer;
  /** The public address of an instance's page, for links in mails (`https://{slug}.status.{domain}`). */
  pageUrl(slug: string): string;
}

export const confirmLinkMs = 48 * 3_600_000;
/** Unsubscribe links work for a long time: people find old mails. */
export const unsubscribeLinkMs = 400 * 86_400_000;

/** Who acts on the public pages: the visitor, known by address only. */
export const visitor = (ip: string | null) => ({ id: 'anonymous', label: 'status page visitor', ip });
