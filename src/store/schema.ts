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

export interface UserTable {
  id: string;
  /** Lower case; the login name. */
  email: string;
  name: string;
  role: string;
  /** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`: parameters travel with the hash so they can be raised. */
  password_hash: string;
  password_changed_at: number;
  /** Set once TOTP enrolment is confirmed; the TOTP secret itself lives in the vault (owner = user id). */
  totp_enabled_at: number | null;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface RecoveryCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

export interface SessionTable {
  id: string;
  /** SHA-256 of the cookie value; the cookie value itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute end of the session, whatever the activity. */
  expires_at: number;
  /** When a second factor was last proved in this session; null while it is still owed. */
  second_factor_at: number | null;
  ip: string | null;
  user_agent: string | null;
  revoked_at: number | null;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the token; the token is shown once at creation. */
  token_hash: string;
  /** JSON array of permissions (`instances:read`, …). */
  scopes: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface BootstrapTokenTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface LoginFailureTable {
  id: string;
  subject_kind: 'ip' | 'account';
  subject: string;
  at: number;
}

export interface BanTable {
  id: string;
  subject_kind: 'ip' | 'account';
  subject: string;
  reason: string;
  /** 1 for a first ban in the look-back period, 2 for the next…: repeat offenders are banned longer. */
  offence: number;
  created_at: number;
  expires_at: number;
  lifted_at: number | null;
  lifted_by: string | null;
}

export interface AuditEventTable {
  /** Position in the chain, 1, 2, 3… without gaps. */
  seq: number;
  id: string;
  at: number;
  actor_id: string;
  actor_label: string;
  action: string;
  target: string | null;
  ip: string | null;
  result: 'ok' | 'denied' | 'failed';
  /** JSON object. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface Database {
  roost_migrations: MigrationTable;
  vault_data_keys: VaultDataKeyTable;
  vault_secrets: VaultSecretTable;
  vault_meta: VaultMetaTable;
  jobs: JobTable;
  job_schedules: JobScheduleTable;
  users: UserTable;
  recovery_codes: RecoveryCodeTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  bootstrap_tokens: BootstrapTokenTable;
  login_failures: LoginFailureTable;
  bans: BanTable;
  audit_events: AuditEventTable;
  audit_head: AuditHeadTable;
  instances: InstanceTable;
  instance_operations: InstanceOperationTable;
  erasure_certificates: ErasureCertificateTable;
  backup_keys: BackupKeyTable;
  backups: BackupTable;
}

export interface InstanceTable {
  /** `ins_…`; also the vault owner of the instance's secrets. */
  id: string;
  slug: string;
  customer: string;
  environment: 'staging' | 'preprod' | 'production';
  runtime: 'local';
  /** JSON object: `{ api, db, cache }` release references. */
  release: string;
  replicas: number;
  state: 'provisioning' | 'running' | 'degraded' | 'decommissioning' | 'decommissioned' | 'failed';
  last_error: string | null;
  created_at: number;
  updated_at: number;
  decommissioned_at: number | null;
}

export interface InstanceOperationTable {
  /** `op_…` */
  id: string;
  instance_id: string;
  kind: 'create' | 'scale' | 'remove';
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  job_id: string | null;
  /** The last progress line, for people. */
  progress: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface ErasureCertificateTable {
  /** `cer_…` */
  id: string;
  instance_id: string;
  /** The signed certificate, JSON text exactly as issued. */
  body: string;
  created_at: number;
}

export interface BackupKeyTable {
  /** One OpenPGP key pair per instance; the private key is in the vault. */
  instance_id: string;
  /** Upper-case hex v4 fingerprint. */
  fingerprint: string;
  /** ASCII-armoured public key. */
  public_key: string;
  created_at: number;
}

export interface BackupTable {
  /** `bkp_…`; also the backup's folder name on the target. */
  id: string;
  instance_id: string;
  /** `succeeded` only once the manifest is written; `pruned` rows stay as history. */
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'pruned';
  trigger: 'manual' | 'schedule' | 'safety';
  /** The target's description (`local:/…`, `sftp://user@host:port/…`). */
  target: string;
  job_id: string | null;
  /** Bytes stored, all files together. */
  bytes: number | null;
  /** SHA-256 of the manifest as written. */
  sha256: string | null;
  /** The manifest JSON, a copy of what the target holds. */
  manifest: string | null;
  progress: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  pruned_at: number | null;
}
