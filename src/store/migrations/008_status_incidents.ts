import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * The incident logbook (R23) with its timeline, and what the public status pages show (R25, R26): page
 * settings per instance, components, maintenances and email subscribers.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('what_is_going_on', 'text', (column) => column.notNull())
    .addColumn('how_we_understood', 'text', (column) => column.notNull())
    .addColumn('what_we_did', 'text', (column) => column.notNull())
    .addColumn('impacts', 'text', (column) => column.notNull())
    .addColumn('how_to_avoid', 'text', (column) => column.notNull())
    .addColumn('postmortem', 'text')
    .addColumn('postmortem_published_at', types.timestamp)
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('started_at', types.timestamp, (column) => column.notNull())
    .addColumn('resolved_at', types.timestamp)
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('incidents_started').on('incidents').columns(['started_at']).execute();

  await db.schema
    .createTable('incident_instances')
    .addColumn('incident_id', 'text', (column) => column.notNull().references('incidents.id'))
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addPrimaryKeyConstraint('incident_instances_pk', ['incident_id', 'instance_id'])
    .execute();
  await db.schema
    .createIndex('incident_instances_instance')
    .on('incident_instances')
    .columns(['instance_id'])
    .execute();

  await db.schema
    .createTable('incident_timeline')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('incident_id', 'text', (column) => column.notNull().references('incidents.id'))
    .addColumn('at', types.timestamp, (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    .addColumn('status', 'text')
    .addColumn('public', 'integer', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('incident_timeline_incident')
    .on('incident_timeline')
    .columns(['incident_id', 'at'])
    .execute();

  await db.schema
    .createTable('status_pages')
    .addColumn('instance_id', 'text', (column) => column.primaryKey().references('instances.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('logo_url', 'text')
    .addColumn('sla_target', 'real', (column) => column.notNull())
    /** Bumped in the same transaction as any change a page shows; caches compare it. */
    .addColumn('revision', 'integer', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('status_components')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('description', 'text')
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('manual_status', 'text')
    .addColumn('monitors', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('status_components_instance')
    .on('status_components')
    .columns(['instance_id', 'position'])
    .execute();

  await db.schema
    .createTable('incident_components')
    .addColumn('incident_id', 'text', (column) => column.notNull().references('incidents.id'))
    .addColumn('component_id', 'text', (column) => column.notNull().references('status_components.id'))
    .addPrimaryKeyConstraint('incident_components_pk', ['incident_id', 'component_id'])
    .execute();

  await db.schema
    .createTable('maintenances')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('body', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('components', 'text', (column) => column.notNull())
    .addColumn('starts_at', types.timestamp, (column) => column.notNull())
    .addColumn('ends_at', types.timestamp, (column) => column.notNull())
    .addColumn('in_business_hours', 'integer', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('maintenances_instance')
    .on('maintenances')
    .columns(['instance_id', 'starts_at'])
    .execute();

  await db.schema
    .createTable('status_subscribers')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('instance_id', 'text', (column) => column.notNull().references('instances.id'))
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('components', 'text', (column) => column.notNull())
    .addColumn('confirmed_at', types.timestamp)
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addUniqueConstraint('status_subscribers_email', ['instance_id', 'email'])
    .execute();

  /** One row per update mailed to a subscriber: a retried fan-out never mails anyone twice. */
  await db.schema
    .createTable('status_deliveries')
    .addColumn('entry_id', 'text', (column) => column.notNull())
    .addColumn('subscriber_id', 'text', (column) => column.notNull().references('status_subscribers.id'))
    .addColumn('sent_at', types.timestamp, (column) => column.notNull())
    .addPrimaryKeyConstraint('status_deliveries_pk', ['entry_id', 'subscriber_id'])
    .execute();
}
