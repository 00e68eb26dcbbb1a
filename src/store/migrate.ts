import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { RoostError } from '../core/errors.ts';
import type { Dialect } from './store.ts';

export interface MigrationContext {
  dialect: Dialect;
  /** Column types that differ between dialects. */
  types: { timestamp: 'integer' | 'bigint'; binary: 'blob' | 'bytea' };
  /** Epoch milliseconds, for rows a migration writes (the time `applied_at` records). */
  now(): number;
}

export interface Migration {
  id: number;
  name: string;
  checksum: string;
  up(db: Kysely<unknown>, context: MigrationContext): Promise<void>;
}

export interface MigrationReport {
  applied: { id: number; name: string }[];
  current: number;
}

const filePattern = /^(\d{3})_([a-z0-9_]+)\.ts$/;
// Any constant works; every Roost process takes the same advisory lock before migrating.
const postgresLockKey = 7_070_001;

export const defaultMigrationsDirectory = path.join(import.meta.dirname, 'migrations');

/** Reads `NNN_name.ts` files in order; the checksum covers the file's bytes, so any edit is noticed. */
export async function loadMigrations(directory = defaultMigrationsDirectory): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => filePattern.test(file)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const [, number, name] = filePattern.exec(file) as RegExpExecArray;
    const full = path.join(directory, file);
    const checksum = createHash('sha256')
      .update(await readFile(full))
      .digest('hex');
    const module = (await import(pathToFileURL(full).href)) as Pick<Migration, 'up'>;
    const id = Number(number);
    if (migrations.at(-1)?.id === id)
      throw new RoostError('internal', `two migrations are numbered ${number}`);
    migrations.push({ id, name: `${number}_${name}`, checksum, up: module.up });
  }
  return migrations;
}

/**
 * Applies pending migrations in one transaction under a lock (PostgreSQL advisory lock, SQLite
 * `BEGIN IMMEDIATE`), so processes starting together apply each migration once. Refuses a changed
 * or unknown applied migration: migrations are forward-only.
 */
export async function migrate<DB>(
  db: Kysely<DB>,
  dialect: Dialect,
  migrations: Migration[],
  now: () => number = Date.now,
): Promise<MigrationReport> {
  const context: MigrationContext = {
    dialect,
    types:
      dialect === 'sqlite'
        ? { timestamp: 'integer', binary: 'blob' }
        : { timestamp: 'bigint', binary: 'bytea' },
    now,
  };
  return db.connection().execute(async (connection) => {
    await sql.raw(dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN').execute(connection);
    try {
      if (dialect === 'postgres')
        await sql`SELECT pg_advisory_xact_lock(${postgresLockKey})`.execute(connection);
      await connection.schema
        .createTable('roost_migrations')
        .ifNotExists()
        .addColumn('id', 'integer', (column) => column.primaryKey())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('checksum', 'text', (column) => column.notNull())
        .addColumn('applied_at', context.types.timestamp, (column) => column.notNull())
        .execute();
      const applied = await sql<{ id: number; name: string; checksum: string }>`
        SELECT id, name, checksum FROM roost_migrations ORDER BY id`.execute(connection);
      const known = new Map(migrations.map((migration) => [migration.id, migration]));
      for (const row of applied.rows) {
        const migration = known.get(Number(row.id));
        if (!migration) {
          throw new RoostError(
            'conflict',
            `the database has migration ${row.name}, which this version of Roost does not know: run a newer Roost`,
          );
        }
        if (migration.checksum !== row.checksum) {
          throw new RoostError(
            'conflict',
            `migration ${row.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)} in the database, ${migration.checksum.slice(0, 12)} in the code); migrations are forward-only: restore the file and add a new migration`,
          );
        }
      }
      const done = new Set(applied.rows.map((row) => Number(row.id)));
      const pending = migrations.filter((migration) => !done.has(migration.id));
      for (const migration of pending) {
        await migration.up(connection as Kysely<unknown>, context);
        await sql`INSERT INTO roost_migrations (id, name, checksum, applied_at)
          VALUES (${migration.id}, ${migration.name}, ${migration.checksum}, ${now()})`.execute(connection);
      }
      await sql.raw('COMMIT').execute(connection);
      const current = Math.max(0, ...done, ...pending.map((migration) => migration.id));
      return { applied: pending.map(({ id, name }) => ({ id, name })), current };
    } catch (error) {
      await sql
        .raw('ROLLBACK')
        .execute(connection)
        .catch(() => {});
      throw error;
    }
  });
}

/** Migrations known to the code but not yet applied; for `/readyz` and `roost doctor`. */
export async function pendingMigrations<DB>(db: Kysely<DB>, migrations: Migration[]): Promise<Migration[]> {
  try {
    const applied = await sql<{ id: number }>`SELECT id FROM roost_migrations`.execute(db);
    const done = new Set(applied.rows.map((row) => Number(row.id)));
    return migrations.filter((migration) => !done.has(migration.id));
  } catch {
    return migrations;
  }
}
