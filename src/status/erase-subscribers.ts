import type { InstanceLifecycleListener } from '../instances/index.ts';
import type { Store } from '../store/index.ts';

/**
 * At decommission (R27), the email addresses subscribed to the instance's status page (personal data),
 * confirmed or still waiting for their opt-in, are erased with their delivery records; the certificate lists
 * them. Confirmation and unsubscribe links are signed, not stored: without the row they lead nowhere.
 */
export function subscribersLifecycle(store: Store): InstanceLifecycleListener {
  return {
    name: 'status-subscribers',
    async erase(instance) {
      return store.db.transaction().execute(async (trx) => {
        const subscribers = await trx
          .selectFrom('status_subscribers')
          .select(['id', 'confirmed_at'])
          .where('instance_id', '=', instance.id)
          .execute();
        const ids = subscribers.map((row) => row.id);
        const deliveries =
          ids.length > 0
            ? await trx.deleteFrom('status_deliveries').where('subscriber_id', 'in', ids).executeTakeFirst()
            : undefined;
        await trx.deleteFrom('status_subscribers').where('instance_id', '=', instance.id).execute();
        const pending = subscribers.filter((row) => row.confirmed_at === null).length;
        return {
          items: [
            `${subscribers.length - pending} confirmed status page subscriber(s)`,
            `${pending} subscription request(s) awaiting confirmation`,
            `${Number(deliveries?.numDeletedRows ?? 0)} subscriber delivery record(s)`,
          ],
        };
      });
    },
  };
}
