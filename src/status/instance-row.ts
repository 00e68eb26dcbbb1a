import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Store } from '../store/index.ts';

/**
 * An instance as a bare row, running, with nothing behind it: for tests and benchmarks of the domains that
 * only need an instance to exist (status pages, incidents, subscriptions). Returns its id.
 */
export async function insertInstanceRow(
  store: Store,
  clock: Clock,
  slug: string,
  customer = `Customer of ${slug}`,
): Promise<string> {
  const now = clock.now();
  const id = newId('ins', now);
  await store.db
    .insertInto('instances')
    .values({
      id,
      slug,
      customer,
      environment: 'production',
      runtime: 'local',
      release: JSON.stringify({ api: 'sample-api-1', db: 'postgres-15', cache: 'redis-7' }),
      replicas: 1,
      state: 'running',
      last_error: null,
      created_at: now.getTime(),
      updated_at: now.getTime(),
      decommissioned_at: null,
    })
    .execute();
  return id;
}
