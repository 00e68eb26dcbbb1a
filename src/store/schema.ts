import type { Generated } from 'kysely';

/** Times are epoch milliseconds (bigint), booleans are 0/1, structured values are JSON text: one shape on both dialects. */

export interface VaultDataKeyTable {
  id: string;
  /** Id of the master key that wraps this data key. */
  master_key_id: string;
  /** AES-256-GCM wrapped data key, base64 of nonce ‖ ciphertext ‖ tag. */
  wrapped: string;
  /** 1 for the data key new secrets are encrypted with. */
  active: number;
  created_at: number;
  rewrapped_at: number | null;
}

export interface VaultSecretTable {
  id: string;
  /** Who the secret belongs to (`ins_…`, `roost`); bound into the ciphertext as associated data. */
  owner: string;
  name: string;
  kind: string;
  data_key_id: string;
  /** base64 of nonce ‖ ciphertext ‖ tag. */
  ciphertext: string;
  created_at: number;
  updated_at: number;
}

export interface VaultMetaTable {
  name: string;
  value: string;
}

export interface JobTable {
  id: string;
  queue: string;
  /** Idempotency key: enqueuing the same key twice yields one job. */
  key: string | null;
  payload: string;
  state: 'queued' | 'running' | 'succeeded' | 'dead';
  attempts: Generated<number>;
  max_attempts: number;
  run_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface JobScheduleTable {
  name: string;
  cron: string;
  time_zone: string;
  queue: string;
  payload: string;
  next_run_at: number;
  last_run_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface MigrationTable {
  id: number;
  name: string;
  checksum: string;
  applied_at: number;
}

export interface Database {
  roost_migrations: MigrationTable;
  vault_data_keys: VaultDataKeyTable;
  vault_secrets: VaultSecretTable;
  vault_meta: VaultMetaTable;
  jobs: JobTable;
  job_schedules: JobScheduleTable;
}
