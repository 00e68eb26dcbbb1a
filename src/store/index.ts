export { asBuffer } from './binary.ts';
export {
  defaultMigrationsDirectory,
  loadMigrations,
  type Migration,
  type MigrationContext,
  type MigrationReport,
  migrate,
  pendingMigrations,
} from './migrate.ts';
export type * from './schema.ts';
export { type Dialect, openStore, type Store, type StoreOptions } from './store.ts';
