import type { InstanceLifecycleListener } from '../instances/index.ts';
import type { BackupDeps } from './deps.ts';
import { ensureInstanceKey, findInstanceKey, keyOwnerOf } from './keys.ts';
import { scheduleDailyBackup } from './schedule.ts';

/**
 * Makes each instance's backup key and daily schedule when it is provisioned, and erases the key at
 * decommission: the backups left on the target can then be read by nobody (not even Roost).
 */
export function backupLifecycle(deps: BackupDeps): InstanceLifecycleListener {
  return {
    name: 'backups',
    async provisioned(instance) {
      await ensureInstanceKey(deps, instance);
      await scheduleDailyBackup(deps, instance);
    },
    async erase(instance) {
      const key = await findInstanceKey(deps.store.db, instance.id);
      await deps.vault.remove(keyOwnerOf(instance.id));
      await deps.store.db.deleteFrom('backup_keys').where('instance_id', '=', instance.id).execute();
      return { items: key ? [`OpenPGP private key ${key.fingerprint}`] : [] };
    },
    retained: [
      {
        what: 'backups on the backup target',
        policy: `kept until their retention expires (default ${deps.settings.retention.daily} daily); unreadable once the private key is erased unless an admin exported it`,
      },
    ],
  };
}
