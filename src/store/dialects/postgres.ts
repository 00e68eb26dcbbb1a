import { PostgresDialect } from 'kysely';
import pg from 'pg';

/** Kysely's PostgreSQL dialect on a `pg` pool; int8 values come back as numbers (epoch milliseconds fit). */
export function createPostgresDialect(
  connectionString: string,
  maxConnections = 10,
): {
  dialect: PostgresDialect;
  pool: pg.Pool;
} {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format ?? 'text');
    },
  };
  const pool = new pg.Pool({ connectionString, max: maxConnections, types, connectionTimeoutMillis: 5_000 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}
