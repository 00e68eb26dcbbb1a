import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.ts';

/**
 * The PDF of each published post-mortem (R24), printed once when it is published (or edited after) by the
 * processes that have Chromium, so the public status listener serves the stored bytes and prints nothing.
 */
export async function up(db: Kysely<unknown>, { types }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('postmortem_pdfs')
    .addColumn('incident_id', 'text', (column) => column.primaryKey().references('incidents.id'))
    /** SHA-256 (hex) of the printable HTML the PDF was printed from: a changed text or title shows. */
    .addColumn('source_sha256', 'text', (column) => column.notNull())
    /** SHA-256 (hex) of the PDF bytes: the public ETag. */
    .addColumn('sha256', 'text', (column) => column.notNull())
    .addColumn('size', 'integer', (column) => column.notNull())
    .addColumn('content', types.binary, (column) => column.notNull())
    .addColumn('created_at', types.timestamp, (column) => column.notNull())
    .execute();
}
