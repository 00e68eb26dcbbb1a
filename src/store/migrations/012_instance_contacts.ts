import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * Who hears about an instance's incidents (R24): the account managers assigned to it and the customer's
 * contact addresses; and the alerts incidents were opened from, so opening one twice finds the first.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('instance_account_managers')
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addPrimaryKeyConstraint('instance_account_managers_pk', ['instance_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('instance_contacts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('email', 'text', (column) => column.notNull())
    /** JSON array of what the contact receives: `incidents`, `postmortems`, `maintenances`. */
    .addColumn('receives', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addUniqueConstraint('instance_contacts_email', ['instance_id', 'email'])
    .execute();

  /** One row per mail a contact got (maintenance announcements, post-mortems): a retried job never resends. */
  await db.schema
    .createTable('contact_deliveries')
    .addColumn('entry_id', 'text', (column) => column.notNull())
    .addColumn('contact_id', 'text', (column) => column.notNull().references('instance_contacts.id'))
    .addColumn('sent_at', types.timestamp, (column) => column.notNull())
    .addPrimaryKeyConstraint('contact_deliveries_pk', ['entry_id', 'contact_id'])
    .execute();

  await db.schema
    .createTable('incident_alerts')
    .addColumn('incident_id', 'text', (column) => column.notNull().references('incidents.id'))
    .addColumn('alert_id', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('incident_alerts_pk', ['incident_id', 'alert_id'])
    .execute();
  await db.schema.createIndex('incident_alerts_alert').on('incident_alerts').columns(['alert_id']).execute();
}
