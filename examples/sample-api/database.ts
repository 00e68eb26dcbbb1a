import pg from 'pg';
import type { DatabaseConfig } from './config.ts';

export interface StoredFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

export interface Database {
  ping(): Promise<void>;
  createSchema(): Promise<void>;
  /** Creates the user, or sets its password when it exists (the start-up seed). */
  upsertUser(username: string, passwordHash: string): Promise<void>;
  /** False when the username is taken. */
  createUser(username: string, passwordHash: string): Promise<boolean>;
  findPasswordHash(username: string): Promise<string | undefined>;
  insertFile(file: Omit<StoredFile, 'createdAt'> & { data: Buffer }): Promise<StoredFile>;
  findFile(id: string): Promise<StoredFile | undefined>;
  /** `length` bytes of the file's content from `offset` (0-based); undefined when the file is gone. */
  readFileChunk(id: string, offset: number, length: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

const schema = `
CREATE TABLE IF NOT EXISTS users (
  username text PRIMARY KEY,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS files (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Uncompressed out-of-line storage lets substring() read a download chunk without de-toasting the whole value.
ALTER TABLE files ALTER COLUMN data SET STORAGE EXTERNAL;
`;

// Any constant shared by every replica: they serialize their CREATE TABLE IF NOT EXISTS, which can race.
const schemaLock = 0x5a4d_504c;

export function connectDatabase(config: DatabaseConfig, onIdleError: (error: Error) => void): Database {
  const pool = new pg.Pool({
    ...('url' in config
      ? { connectionString: config.url }
      : {
          host: config.host,
          port: config.port,
          database: config.name,
          user: config.user,
          password: config.password,
        }),
    max: 5,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    application_name: 'sample-api',
  });
  // A server restart breaks idle connections; without a listener the pool's error would end the process.
  pool.on('error', onIdleError);

  const fileColumns = `id, name, content_type AS "contentType", size::float8 AS size, sha256,
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

  return {
    ping: async () => {
      await pool.query('SELECT 1');
    },
    createSchema: async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [schemaLock]);
        await client.query(schema);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    upsertUser: async (username, passwordHash) => {
      await pool.query(
        `INSERT INTO users (username, password_hash) VALUES ($1, $2)
         ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
        [username, passwordHash],
      );
    },
    createUser: async (username, passwordHash) => {
      const result = await pool.query(
        'INSERT INTO users (username, password_hash) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING',
        [username, passwordHash],
      );
      return result.rowCount === 1;
    },
    findPasswordHash: async (username) => {
      const result = await pool.query<{ password_hash: string }>(
        'SELECT password_hash FROM users WHERE username = $1',
        [username],
      );
      return result.rows[0]?.password_hash;
    },
    insertFile: async (file) => {
      const result = await pool.query<StoredFile>(
        `INSERT INTO files (id, name, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${fileColumns}`,
        [file.id, file.name, file.contentType, file.size, file.sha256, file.data],
      );
      const stored = result.rows[0];
      if (!stored) throw new Error('INSERT INTO files returned no row');
      return stored;
    },
    findFile: async (id) => {
      const result = await pool.query<StoredFile>(`SELECT ${fileColumns} FROM files WHERE id = $1`, [id]);
      return result.rows[0];
    },
    readFileChunk: async (id, offset, length) => {
      const result = await pool.query<{ chunk: Buffer }>(
        'SELECT substring(data FROM $2 FOR $3) AS chunk FROM files WHERE id = $1',
        [id, offset + 1, length],
      );
      return result.rows[0]?.chunk;
    },
    close: () => pool.end(),
  };
}
