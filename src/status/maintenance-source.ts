import type { MaintenanceSource } from '../monitoring/index.ts';
import type { Store } from '../store/index.ts';

/** Maintenance windows as monitoring asks for them: alerts of an instance inside one do not page (R26). */
export function maintenanceWindows(store: Store): MaintenanceSource {
  return {
    async activeMaintenance(instanceId, at) {
      if (instanceId === null) return null;
      const window = await store.db
        .selectFrom('maintenances')
        .select(['id', 'title'])
        .where('instance_id', '=', instanceId)
        .where('state', '!=', 'cancelled')
        .where('starts_at', '<=', at)
        .where('ends_at', '>', at)
        .executeTakeFirst();
      return window ?? null;
    },
  };
}
