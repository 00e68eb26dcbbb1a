import { createHash } from 'node:crypto';
import type { ServiceName, StackSecretName } from '../types.ts';

/** Labels the driver puts on every object, beside the spec's own labels. */
export const labels = {
  /** Set on every object, whatever the spec's labels say: the driver finds an instance's objects by it. */
  instance: 'roost.instance',
  service: 'roost.runtime.service',
  specHash: 'roost.runtime.spec-hash',
  release: 'roost.runtime.release',
  environment: 'roost.runtime.environment',
  /** The spec's own labels as JSON, so inspect returns exactly them. */
  specLabels: 'roost.runtime.labels',
  secret: 'roost.runtime.secret',
} as const;

/** The spec's labels plus the instance label, for every object of the instance. */
export function objectLabels(instance: string, specLabels: Record<string, string>): Record<string, string> {
  return { ...specLabels, [labels.instance]: instance };
}

export type NetworkRole = 'db' | 'cache' | 'edge';

/** `<slug>-db` (api, db), `<slug>-cache` (api, cache): internal; `<slug>-edge` (api only): published port. */
export const networkRoles: Record<NetworkRole, { internal: boolean; services: ServiceName[] }> = {
  db: { internal: true, services: ['api', 'db'] },
  cache: { internal: true, services: ['api', 'cache'] },
  edge: { internal: false, services: ['api'] },
};

export const serviceObjectName = (instance: string, service: ServiceName): string => `${instance}-${service}`;
export const networkName = (instance: string, role: NetworkRole): string => `${instance}-${role}`;
export const volumeName = (instance: string): string => `${instance}-db-data`;

/**
 * Swarm secrets are immutable, so a new value is a new secret: the name carries a digest of the value
 * (SHA-256 over instance, name and value; a 256-bit random value cannot be recovered from it).
 */
export function secretObjectName(instance: string, name: StackSecretName, value: string): string {
  const digest = createHash('sha256').update(`${instance}\0${name}\0${value}`).digest('hex').slice(0, 12);
  return `${instance}-${name}-${digest}`;
}

/** Where each service finds which secret, and as which user (the images' fixed uids). */
export const secretMounts: Record<
  ServiceName,
  Array<{ secret: StackSecretName; file: string; uid: string }>
> = {
  api: [
    { secret: 'db-password', file: 'db_password', uid: '10001' },
    { secret: 'cache-password', file: 'redis_password', uid: '10001' },
    { secret: 'jwt-signing-key', file: 'jwt_signing_key', uid: '10001' },
  ],
  db: [{ secret: 'db-password', file: 'postgres_password', uid: '999' }],
  cache: [{ secret: 'cache-password', file: 'redis_password', uid: '999' }],
};
