import type { InstanceLifecycleListener } from '../instances/index.ts';
import type { Store } from '../store/index.ts';

/**
 * At decommission (R27), an instance's customer contacts (names and addresses: personal data), their
 * delivery records and its account manager assignments are erased; the certificate lists them.
 */
export function contactsLifecycle(store: Store): InstanceLifecycleListener {
  return {
    name: 'contacts',
    async erase(instance) {
      return store.db.transaction().execute(async (trx) => {
        const contacts = await trx
          .selectFrom('instance_contacts')
          .select('id')
          .where('instance_id', '=', instance.id)
          .execute();
        const ids = contacts.map((row) => row.id);
        if (ids.length > 0)
          await trx.deleteFrom('contact_deliveries').where('contact_id', 'in', ids).execute();
        await trx.deleteFrom('instance_contacts').where('instance_id', '=', instance.id).execute();
        const managers = await trx
          .deleteFrom('instance_account_managers')
          .where('instance_id', '=', instance.id)
          .executeTakeFirst();
        return {
          items: [
            `${ids.length} customer contact(s) with their delivery records`,
            `${Number(managers.numDeletedRows)} account manager assignment(s)`,
          ],
        };
      });
    },
  };
}
