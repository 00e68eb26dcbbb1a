import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';

const statementCacheSize = 500;

export interface SqliteOptions {
  file: string;
  busyTimeoutMs?: number;
}

/** Kysely's SQLite dialect on Node's built-in `node:sqlite` (no native addon to build). */
export function createSqliteDialect(options: SqliteOptions): SqliteDialect {
  return new SqliteDialect({ database: async () => openSqlite(options) });
}

export function openSqlite(options: SqliteOptions): SqliteDatabase {
  // 0711: others may traverse (the local runtime's postgres and redis users reach their own directories
  // below) but not list; every file Roost writes here is 0600.
  if (options.file !== ':memory:') mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o711 });
  const database = new DatabaseSync(options.file, { timeout: options.busyTimeoutMs ?? 5_000 });
  database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA synchronous = NORMAL');
  database.exec('PRAGMA foreign_keys = ON');
  // Preparing costs more than running a small query: reuse statements per SQL text (bounded, oldest out).
  // `iterate` keeps a fresh statement, since an open iterator would be reset by a reuse.
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = database.prepare(sql);
      if (statements.size >= statementCacheSize) statements.delete(statements.keys().next().value as string);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    close: () => database.close(),
    prepare: (sql: string): SqliteStatement => {
      const statement = prepared(sql);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...toSqlite(parameters)),
        run: (parameters) => statement.run(...toSqlite(parameters)),
        iterate: (parameters) => database.prepare(sql).iterate(...toSqlite(parameters)),
      };
    },
  };
}

function toSqlite(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === undefined) return null;
    return value as SQLInputValue;
  });
}
