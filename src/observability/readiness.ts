import { describeError } from '../core/errors.ts';
import { type Migration, pendingMigrations, type Store } from '../store/index.ts';

export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string };
}

/** Ready means: the database answers and every migration this code knows is applied. */
export async function checkReadiness(store: Store, migrations: Migration[]): Promise<Readiness> {
  try {
    await store.ping();
  } catch (error) {
    return {
      ready: false,
      checks: { database: `unreachable: ${describeError(error)}`, migrations: 'unknown' },
    };
  }
  const pending = await pendingMigrations(store.db, migrations);
  return {
    ready: pending.length === 0,
    checks: {
      database: 'ok',
      migrations:
        pending.length === 0 ? 'ok' : `pending: ${pending.map((migration) => migration.name).join(', ')}`,
    },
  };
}
