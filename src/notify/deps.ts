import type { AlertListener } from '../monitoring/alerts/records.ts';
import type { MonitoringDeps } from '../monitoring/deps.ts';
import type { Mailer } from './mailer.ts';

export interface NotifyDeps extends MonitoringDeps {
  mailer: Mailer;
  /** Signs acknowledge/resolve links (kept in the vault). */
  linkKey: Buffer;
  /** Where people open links: the admin UI's address as they reach it (`https://roost.vpn.example`). */
  publicUrl: string;
  /** Who hears about escalations (incident timelines): the same listeners as the alert engine's. */
  listeners?: readonly AlertListener[] | undefined;
}
