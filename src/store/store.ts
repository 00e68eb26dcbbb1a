import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { RoostError } from '../core/errors.ts';
import { createPostgresDialect } from './dialects/postgres.ts';
import { createSqliteDialect } from './dialects/sqlite.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, safe to print (no password). */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…` or `sqlite:<file>`; when absent, `sqlite:<dataDir>/roost.db`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  maxConnections?: number;
}

/** Opens the state store and checks that it answers; never leaves a pool open on failure. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const url = options.databaseUrl ?? `sqlite:${path.join(options.dataDir, 'roost.db')}`;
  if (url.startsWith('sqlite:')) {
    const file = path.resolve(url.slice('sqlite:'.length));
    const db = new Kysely<Database>({ dialect: createSqliteDialect({ file }) });
    const store = makeStore(db, 'sqlite', file);
    try {
      await store.ping();
    } catch (error) {
      await db.destroy().catch(() => {});
      throw new RoostError(
        'unavailable',
        `cannot open the SQLite database ${file}: ${(error as Error).message}`,
      );
    }
    return store;
  }
  const parsed = parsePostgresUrl(url);
  const { dialect } = createPostgresDialect(url, options.maxConnections);
  const db = new Kysely<Database>({ dialect });
  const store = makeStore(db, 'postgres', parsed.display);
  try {
    await store.ping();
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new RoostError(
      'unavailable',
      `cannot reach PostgreSQL at ${parsed.display}: ${describePgError(error)}`,
    );
  }
  return store;
}

function makeStore(db: Kysely<Database>, dialect: Dialect, location: string): Store {
  return {
    db,
    dialect,
    location,
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

function parsePostgresUrl(url: string): { display: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RoostError(
      'invalid_config',
      'invalid database URL: expected postgres://user:password@host:port/database',
    );
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) {
    throw new RoostError(
      'invalid_config',
      'invalid database URL: no host; expected postgres://user:password@host:port/database',
    );
  }
  const host = parsed.hostname || parsed.searchParams.get('host');
  return { display: `${host}:${parsed.port || '5432'}${parsed.pathname}` };
}

function describePgError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describePgError(error.errors[0]);
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
