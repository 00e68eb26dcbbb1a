import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/index.ts';

/**
 * Marks the status pages of these instances as changed, inside the caller's transaction: every cache
 * (in this process or another) compares the revision and renders the page again once.
 */
export async function bumpStatusRevision(
  db: Kysely<Database>,
  instanceIds: readonly string[],
  now: Date,
): Promise<void> {
  for (const instanceId of new Set(instanceIds)) {
    const instance = await db
      .selectFrom('instances')
      .select(['customer'])
      .where('id', '=', instanceId)
      .executeTakeFirst();
    if (!instance) continue;
    await db
      .insertInto('status_pages')
      .values({
        instance_id: instanceId,
        name: instance.customer,
        logo_url: null,
        sla_target: 99,
        revision: 1,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .onConflict((conflict) =>
        conflict.column('instance_id').doUpdateSet({
          revision: sql`status_pages.revision + 1`,
          updated_at: now.getTime(),
        }),
      )
      .execute();
  }
}
