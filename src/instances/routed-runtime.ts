import { RoostError } from '../core/errors.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';

export type RuntimeKind = 'local' | 'swarm';
export const runtimeKinds: readonly RuntimeKind[] = ['local', 'swarm'];

/**
 * One Runtime over several drivers: each call goes to the driver the instance row names, so operations,
 * jobs and other domains (backups, monitoring) never choose a driver themselves.
 */
export function routedRuntime(store: Store, drivers: Record<RuntimeKind, Runtime>): Runtime {
  async function driverOf(instance: string): Promise<Runtime> {
    const row = await store.db
      .selectFrom('instances')
      .select('runtime')
      .where('slug', '=', instance)
      .executeTakeFirst();
    if (!row) throw new RoostError('not_found', `no instance named ${instance}`);
    return drivers[row.runtime];
  }
  return {
    kind: 'routed',
    // Not every driver isolates; ask the instance's own driver (`isolatesNetworksFor`).
    isolatesNetworks: false,
    converge: async (spec, source, onProgress) =>
      (await driverOf(spec.instance)).converge(spec, source, onProgress),
    inspect: async (instance) => (await driverOf(instance)).inspect(instance),
    remove: async (instance) => (await driverOf(instance)).remove(instance),
    restart: async (instance, service) => (await driverOf(instance)).restart(instance, service),
    exec: async (instance, service, argv, options) =>
      (await driverOf(instance)).exec(instance, service, argv, options),
    execStream: async (instance, service, argv) =>
      (await driverOf(instance)).execStream(instance, service, argv),
    logs: async (instance, service, options) => {
      const driver = await driverOf(instance);
      return driver.logs ? driver.logs(instance, service, options) : [];
    },
  };
}
