import type { InstanceLifecycleListener } from '../instances/index.ts';
import type { Store } from '../store/index.ts';
import type { BackupDeps } from './deps.ts';
import { ensureInstanceKey, findInstanceKey, keyOwnerOf } from './keys.ts';
import {
  backupScheduleName,
  drillScheduleName,
  removeSchedules,
  scheduleDailyBackup,
  scheduleDrills,
} from './schedule.ts';

/**
 * Makes each instance's backup key, daily backup schedule and drill schedule when it is provisioned, and
 * erases the key and the schedules at decommission: the backups left on the target can then be read by
 * nobody (not even Roost). A drill's throw-away instance gets none of them.
 */
export function backupLifecycle(deps: BackupDeps): InstanceLifecycleListener {
  return {
    name: 'backups',
    async provisioned(instance) {
      if (await isDrillInstance(deps.store, instance.slug)) return;
      await ensureInstanceKey(deps, instance);
      await scheduleDailyBackup(deps, instance);
      await scheduleDrills(deps, instance);
    },
    async erase(instance) {
      const key = await findInstanceKey(deps.store.db, instance.id);
      await deps.vault.remove(keyOwnerOf(instance.id));
      await deps.store.db.deleteFrom('backup_keys').where('instance_id', '=', instance.id).execute();
      const schedules = await removeSchedules(deps, [
        backupScheduleName(instance.id),
        drillScheduleName(instance.id),
      ]);
      return {
        items: [
          ...(key ? [`OpenPGP private key ${key.fingerprint}`] : []),
          ...(schedules > 0 ? [`${schedules} backup and drill schedule(s)`] : []),
        ],
      };
    },
    retained: [
      {
        what: 'backups on the backup target',
        policy: `kept until their retention expires (default ${deps.settings.retention.daily} daily); unreadable once the private key is erased unless an admin exported it`,
      },
    ],
  };
}

/** True for the throw-away instance of a restore drill: its slug is recorded before it is created. */
export async function isDrillInstance(store: Store, slug: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('restore_drills')
    .select('id')
    .where('scratch_slug', '=', slug)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Another domain's listener that must not set anything up for a drill's throw-away instance (its
 * monitors would page someone about an instance nobody uses); erasure still runs.
 */
export function skippingDrillInstances(
  store: Store,
  listener: InstanceLifecycleListener,
): InstanceLifecycleListener {
  const { provisioned } = listener;
  if (!provisioned) return listener;
  return {
    ...listener,
    async provisioned(instance) {
      if (await isDrillInstance(store, instance.slug)) return;
      await provisioned.call(listener, instance);
    },
  };
}
