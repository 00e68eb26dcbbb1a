/** Domains a permission is about; API token scopes use the same words. */
export const domains = [
  'instances',
  'monitoring',
  'incidents',
  'status',
  'backups',
  'logs',
  'security',
  'audit',
  'users',
  'tokens',
  'bans',
  'settings',
  'secrets',
] as const;
export type Domain = (typeof domains)[number];

/** `domain:read` or `domain:write`, plus the two acts that expose key material. */
export type Permission = `${Domain}:read` | `${Domain}:write` | 'secrets:reveal' | 'keys:export';

export const roles = ['admin', 'operator', 'account-manager', 'viewer'] as const;
export type Role = (typeof roles)[number];

const read = (...list: Domain[]): Permission[] => list.map((domain) => `${domain}:read` as const);
const write = (...list: Domain[]): Permission[] => list.map((domain) => `${domain}:write` as const);

export const allPermissions: readonly Permission[] = [
  ...read(...domains),
  ...write(...domains),
  'secrets:reveal',
  'keys:export',
];

/**
 * Who may do what. admin: everything. operator: runs operations, never reveals secrets or exports keys,
 * does not manage users. account-manager: incidents, customer communication, status pages; reads
 * instances. viewer (every employee): reads the logbook, status pages and instances.
 * Everybody manages their own API tokens (`tokens:*` covers only one's own, except for admins).
 */
export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: allPermissions,
  operator: [
    ...read(
      'instances',
      'monitoring',
      'incidents',
      'status',
      'backups',
      'logs',
      'security',
      'audit',
      'tokens',
      'bans',
      'settings',
      'secrets',
      'users',
    ),
    ...write(
      'instances',
      'monitoring',
      'incidents',
      'status',
      'backups',
      'logs',
      'security',
      'tokens',
      'bans',
    ),
  ],
  'account-manager': [
    ...read('instances', 'monitoring', 'incidents', 'status', 'tokens'),
    ...write('incidents', 'status', 'tokens'),
  ],
  viewer: [...read('instances', 'incidents', 'status', 'tokens'), ...write('tokens')],
};

/** Roles that must enrol a second factor before they can do anything else. */
export const rolesRequiringSecondFactor: readonly Role[] = ['admin', 'operator'];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return (allPermissions as readonly string[]).includes(value);
}
