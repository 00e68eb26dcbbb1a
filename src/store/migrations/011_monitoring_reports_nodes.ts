import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * Weekly reports need response-time percentiles: a fixed latency histogram per monitor and hour (counts
 * per bin add up across hours, so any week merges exactly). Host baselines outlive a restart. Nodes are
 * the servers Roost manages; their monitors come from a policy template and name the node.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('check_latency_hours')
    .addColumn('monitor_id', 'text', (column) => column.notNull())
    .addColumn('bucket', types.timestamp, (column) => column.notNull())
    .addColumn('bin', 'integer', (column) => column.notNull())
    .addColumn('count', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('check_latency_hours_pk', ['monitor_id', 'bucket', 'bin'])
    .execute();

  await db.schema
    .createTable('monitor_baselines')
    .addColumn('monitor_id', 'text', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .addPrimaryKeyConstraint('monitor_baselines_pk', ['monitor_id', 'metric'])
    .execute();

  await db.schema
    .createTable('nodes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('address', 'text', (column) => column.notNull())
    .addColumn('roles', 'text', (column) => column.notNull())
    .addColumn('exporter_url', 'text')
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('removed_at', types.timestamp)
    .execute();
  await db.schema.createIndex('nodes_name').on('nodes').column('name').execute();

  await db.schema.alterTable('monitors').addColumn('node_id', 'text').execute();
  await db.schema.createIndex('monitors_node').on('monitors').column('node_id').execute();

  await db.schema
    .createTable('monitoring_reports')
    .addColumn('instance_id', 'text', (column) => column.notNull())
    .addColumn('week', 'text', (column) => column.notNull())
    .addColumn('recipients', 'text', (column) => column.notNull())
    .addColumn('sent_at', types.timestamp, (column) => column.notNull())
    .addPrimaryKeyConstraint('monitoring_reports_pk', ['instance_id', 'week'])
    .execute();
}
