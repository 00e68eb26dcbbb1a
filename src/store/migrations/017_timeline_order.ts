import { type Kysely, sql } from 'kysely';

/**
 * Numbers each incident's timeline entries in the order they are written (R23), so entries of the same
 * millisecond keep that order instead of the order of their random ids. `incidents.timeline_seq` is the last
 * number given; bumping it numbers the next entry and locks the incident's row until the writer commits.
 * Existing entries are numbered in the order they were shown: by time, then id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incident_timeline')
    .addColumn('seq', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('incidents')
    .addColumn('timeline_seq', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE incident_timeline SET seq = (
      SELECT count(*) FROM incident_timeline AS earlier
      WHERE earlier.incident_id = incident_timeline.incident_id
        AND (earlier.at < incident_timeline.at OR (earlier.at = incident_timeline.at AND earlier.id <= incident_timeline.id))
    )`.execute(db);
  await sql`UPDATE incidents SET timeline_seq = (
      SELECT coalesce(max(seq), 0) FROM incident_timeline WHERE incident_timeline.incident_id = incidents.id
    )`.execute(db);
  await db.schema
    .createIndex('incident_timeline_seq')
    .on('incident_timeline')
    .columns(['incident_id', 'seq'])
    .unique()
    .execute();
}
