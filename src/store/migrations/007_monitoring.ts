import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('instance_id', 'text')
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addColumn('interval_seconds', 'integer', (column) => column.notNull())
    .addColumn('timeout_ms', 'integer', (column) => column.notNull())
    .addColumn('retries', 'integer', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('for_seconds', 'integer', (column) => column.notNull())
    .addColumn('labels', 'text', (column) => column.notNull())
    .addColumn('enabled', 'integer', (column) => column.notNull())
    .addColumn('push_token_hash', 'text', (column) => column.unique())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('failures', 'integer', (column) => column.notNull())
    .addColumn('last_message', 'text')
    .addColumn('last_latency_ms', 'integer')
    .addColumn('last_checked_at', types.timestamp)
    .addColumn('last_pushed_at', types.timestamp)
    .addColumn('state_since', types.timestamp)
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema.createIndex('monitors_instance').on('monitors').column('instance_id').execute();

  await db.schema
    .createTable('check_results')
    .addColumn('monitor_id', 'text', (column) => column.notNull())
    .addColumn('at', types.timestamp, (column) => column.notNull())
    .addColumn('ok', 'integer', (column) => column.notNull())
    .addColumn('latency_ms', 'integer', (column) => column.notNull())
    .addColumn('message', 'text')
    .execute();
  await db.schema
    .createIndex('check_results_monitor_at')
    .on('check_results')
    .columns(['monitor_id', 'at'])
    .execute();
  await db.schema.createIndex('check_results_at').on('check_results').column('at').execute();

  await db.schema
    .createTable('check_rollups')
    .addColumn('monitor_id', 'text', (column) => column.notNull())
    .addColumn('granularity', 'text', (column) => column.notNull())
    .addColumn('bucket', types.timestamp, (column) => column.notNull())
    .addColumn('checks', 'integer', (column) => column.notNull())
    .addColumn('failures', 'integer', (column) => column.notNull())
    .addColumn('latency_sum', types.timestamp, (column) => column.notNull())
    .addColumn('latency_max', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('check_rollups_pk', ['monitor_id', 'granularity', 'bucket'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('monitor_id', 'text')
    .addColumn('instance_id', 'text')
    .addColumn('group_key', 'text', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('labels', 'text', (column) => column.notNull())
    .addColumn('summary', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('route', 'text')
    .addColumn('level', 'integer', (column) => column.notNull())
    .addColumn('suppressed_by', 'text')
    .addColumn('pending_since', types.timestamp, (column) => column.notNull())
    .addColumn('fired_at', types.timestamp)
    .addColumn('resolved_at', types.timestamp)
    .addColumn('acknowledged_at', types.timestamp)
    .addColumn('acknowledged_by', 'text')
    .addColumn('notified_state', 'text')
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('alerts_fingerprint_state')
    .on('alerts')
    .columns(['fingerprint', 'state'])
    .execute();

  await db.schema
    .createTable('silences')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('matchers', 'text', (column) => column.notNull())
    .addColumn('author', 'text', (column) => column.notNull())
    .addColumn('comment', 'text', (column) => column.notNull())
    .addColumn('starts_at', types.timestamp, (column) => column.notNull())
    .addColumn('ends_at', types.timestamp, (column) => column.notNull())
    .addColumn('expired_at', types.timestamp)
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('notification_channels')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('alert_id', 'text', (column) => column.notNull())
    .addColumn('channel_id', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('recipient', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', types.timestamp, (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('sent_at', types.timestamp)
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due')
    .on('notification_deliveries')
    .columns(['state', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('oncall_schedules')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('time_zone', 'text', (column) => column.notNull())
    .addColumn('layers', 'text', (column) => column.notNull())
    .addColumn('overrides', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('escalation_policies')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull().unique())
    .addColumn('support', 'text', (column) => column.notNull())
    .addColumn('levels', 'text', (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
}
