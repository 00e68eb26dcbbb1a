/**
 * A database engine as the runtimes see it: how its server starts from an image, where it keeps its data,
 * where its password arrives and how its health is checked (dumps and restores: src/backups/engines).
 * PostgreSQL is the engine that runs and is tested; MongoDB (the engine of the policy documents) fits the
 * same shape but cannot be installed from the package registries this project can reach.
 */
export interface DatabaseEngine {
  name: string;
  /** False: described for the interface's sake, refused when an instance asks for it. */
  available: boolean;
  port: number;
  /** Inside the database container, on the instance's volume. */
  dataDirectory: string;
  /** The uid:gid the server runs as (owner of the secret file). */
  user: string;
  /** The secret file (under /run/secrets) holding the initial administrator password. */
  passwordFile: string;
  /** The server's settings (no secret values: the password comes from `passwordFile`). */
  serverEnv(database: string, owner: string): string[];
  /** Exit 0 when the server accepts connections. */
  health: string[];
}

export const postgresEngine: DatabaseEngine = {
  name: 'postgres',
  available: true,
  port: 5432,
  dataDirectory: '/var/lib/postgresql/data',
  user: '999',
  passwordFile: 'postgres_password',
  serverEnv: (database, owner) => [
    `POSTGRES_DB=${database}`,
    `POSTGRES_USER=${owner}`,
    'POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password',
    `PGUSER=${owner}`,
    `PGDATABASE=${database}`,
    'PGHOST=/run/postgresql',
  ],
  health: ['pg_isready', '--quiet', '--host=127.0.0.1', '--port=5432'],
};

export const mongodbEngine: DatabaseEngine = {
  name: 'mongodb',
  available: false,
  port: 27017,
  dataDirectory: '/data/db',
  user: '999',
  passwordFile: 'mongo_root_password',
  serverEnv: (database, owner) => [
    `MONGO_INITDB_DATABASE=${database}`,
    `MONGO_INITDB_ROOT_USERNAME=${owner}`,
    'MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/mongo_root_password',
  ],
  health: ['mongosh', '--quiet', '--eval', 'db.adminCommand("ping").ok'],
};

export const databaseEngines = { postgres: postgresEngine, mongodb: mongodbEngine } as const;
export type EngineName = keyof typeof databaseEngines;
export const engineNames = Object.keys(databaseEngines) as EngineName[];
