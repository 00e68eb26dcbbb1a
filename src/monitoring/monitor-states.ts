import type { Store } from '../store/index.ts';

export type MonitorState = 'unknown' | 'up' | 'down';

/** The current state of each monitor (status pages read it to colour their components). */
export async function monitorStates(
  store: Store,
  monitorIds: readonly string[],
): Promise<Map<string, MonitorState>> {
  if (monitorIds.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('monitors')
    .select(['id', 'state', 'enabled'])
    .where('id', 'in', monitorIds as string[])
    .execute();
  return new Map(rows.map((row) => [row.id, Number(row.enabled) === 1 ? row.state : 'unknown']));
}
