import { type Actor, can } from '../../auth/actor.ts';
import type { Permission } from '../../auth/permissions.ts';

export interface NavItem {
  path: string;
  label: string;
  /** Who sees the item (and may open the page). */
  permission: Permission | 'authenticated';
  /** One sentence for the overview's cards. */
  summary: string;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

export const navGroups: NavGroup[] = [
  {
    label: 'Operations',
    items: [
      { path: '/', label: 'Overview', permission: 'authenticated', summary: 'Where things stand.' },
      {
        path: '/instances',
        label: 'Instances',
        permission: 'instances:read',
        summary: 'Every customer stack, its release and its state.',
      },
      {
        path: '/monitoring',
        label: 'Monitoring',
        permission: 'monitoring:read',
        summary: 'Probes, alerts and on-call.',
      },
      {
        path: '/incidents',
        label: 'Incidents',
        permission: 'incidents:read',
        summary: 'The logbook, timelines and post-mortems.',
      },
      {
        path: '/status-pages',
        label: 'Status pages',
        permission: 'status:read',
        summary: 'Public status, maintenances and subscribers.',
      },
      {
        path: '/backups',
        label: 'Backups',
        permission: 'backups:read',
        summary: 'Encrypted backups, restores and drills.',
      },
      {
        path: '/logs',
        label: 'Logs',
        permission: 'logs:read',
        summary: 'Central logs, detection rules and findings.',
      },
      {
        path: '/security',
        label: 'Security',
        permission: 'security:read',
        summary: 'Scans, hardening checks and patch rollouts.',
      },
    ],
  },
  {
    label: 'Administration',
    items: [
      {
        path: '/audit',
        label: 'Audit',
        permission: 'audit:read',
        summary: 'Who did what, in a tamper-evident chain.',
      },
      {
        path: '/users',
        label: 'Users',
        permission: 'users:read',
        summary: 'People, their roles and second factors.',
      },
      {
        path: '/tokens',
        label: 'API tokens',
        permission: 'tokens:read',
        summary: 'Your scoped, expiring tokens for the API and CLI.',
      },
      {
        path: '/bans',
        label: 'Bans',
        permission: 'bans:read',
        summary: 'Addresses and accounts refused after failed log-ins.',
      },
      {
        path: '/settings',
        label: 'Settings',
        permission: 'settings:read',
        summary: 'How this Roost is configured.',
      },
    ],
  },
];

export function allowed(actor: Actor, permission: NavItem['permission']): boolean {
  if (actor.kind === 'anonymous' || actor.permissions.size === 0) return false;
  return permission === 'authenticated' || can(actor, permission);
}

/** The groups with only the items this actor may open; empty groups are left out. */
export function visibleNav(actor: Actor): NavGroup[] {
  return navGroups
    .map((group) => ({ ...group, items: group.items.filter((item) => allowed(actor, item.permission)) }))
    .filter((group) => group.items.length > 0);
}
