import type { Generated } from 'kysely';
import type { IncidentStatus } from '../core/incident-status.ts';

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
  /** When the queue's dead handler ran for this dead job; null until then (and after a retry). */
  dead_handled_at: number | null;
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
  restore_drills: RestoreDrillTable;
  backup_restores: BackupRestoreTable;
  monitors: MonitorTable;
  check_results: CheckResultTable;
  check_rollups: CheckRollupTable;
  check_latency_hours: CheckLatencyHourTable;
  monitor_baselines: MonitorBaselineTable;
  nodes: NodeTable;
  monitoring_reports: MonitoringReportTable;
  alerts: AlertTable;
  silences: SilenceTable;
  notification_channels: NotificationChannelTable;
  notification_deliveries: NotificationDeliveryTable;
  oncall_schedules: OnCallScheduleTable;
  escalation_policies: EscalationPolicyTable;
  incidents: IncidentTable;
  incident_instances: IncidentInstanceTable;
  incident_components: IncidentComponentTable;
  incident_timeline: IncidentTimelineTable;
  status_pages: StatusPageTable;
  status_components: StatusComponentTable;
  maintenances: MaintenanceTable;
  status_subscribers: StatusSubscriberTable;
  status_deliveries: StatusDeliveryTable;
  instance_account_managers: InstanceAccountManagerTable;
  instance_contacts: InstanceContactTable;
  incident_alerts: IncidentAlertTable;
  contact_deliveries: ContactDeliveryTable;
  instance_migrations: InstanceMigrationTable;
  postmortem_pdfs: PostmortemPdfTable;
}

export interface InstanceTable {
  /** `ins_…`; also the vault owner of the instance's secrets. */
  id: string;
  slug: string;
  customer: string;
  environment: 'staging' | 'preprod' | 'production';
  runtime: 'local' | 'swarm';
  /** JSON object: `{ api, db, cache }` release references. */
  release: string;
  replicas: number;
  /** 1: services run; 0: stopped (scaled to zero, data kept). */
  running: Generated<number>;
  /** Database password rotations so far; the API's login role follows from it (see stackSpecOf). */
  db_rotations: Generated<number>;
  state:
    | 'provisioning'
    | 'running'
    | 'degraded'
    | 'stopped'
    | 'decommissioning'
    | 'decommissioned'
    | 'failed';
  last_error: string | null;
  created_at: number;
  updated_at: number;
  decommissioned_at: number | null;
  /** `host:port` the instance's name points at, set by a migration's name switch; null before any. */
  endpoint: Generated<string | null>;
}

export interface InstanceOperationTable {
  /** `op_…` */
  id: string;
  instance_id: string;
  kind: 'create' | 'scale' | 'update' | 'stop' | 'start' | 'restart' | 'rotate' | 'remove' | 'migrate';
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  job_id: string | null;
  /** The last progress line, for people. */
  progress: string | null;
  error: string | null;
  /** JSON: what the operation needs to finish or undo itself (`previousRelease`, `secret`, …). */
  details: string | null;
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

export type { IncidentStatus };
export type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';

export interface IncidentTable {
  /** `inc_…` */
  id: string;
  title: string;
  severity: 'critical' | 'major' | 'minor';
  status: IncidentStatus;
  /** The five logbook fields (R23), Markdown. */
  what_is_going_on: string;
  how_we_understood: string;
  what_we_did: string;
  impacts: string;
  how_to_avoid: string;
  /** Markdown; drafted from the logbook when the incident is resolved. */
  postmortem: string | null;
  /** When the reviewed post-mortem went public (status pages, subscribers). */
  postmortem_published_at: number | null;
  created_by: string;
  started_at: number;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
  /** The number of the incident's last timeline entry; bumping it numbers the next one (`seq`). */
  timeline_seq: Generated<number>;
}

/** The stored PDF of a published post-mortem; the status pages serve these bytes. */
export interface PostmortemPdfTable {
  incident_id: string;
  /** SHA-256 (hex) of the printable HTML it was printed from. */
  source_sha256: string;
  /** SHA-256 (hex) of `content`. */
  sha256: string;
  size: number;
  /** `Uint8Array` from SQLite, `Buffer` from PostgreSQL. */
  content: Uint8Array;
  created_at: number;
}

export interface IncidentInstanceTable {
  incident_id: string;
  instance_id: string;
}

export interface IncidentComponentTable {
  incident_id: string;
  component_id: string;
}

export interface IncidentTimelineTable {
  /** `tle_…` */
  id: string;
  incident_id: string;
  at: number;
  kind: 'note' | 'update' | 'alert' | 'deploy' | 'backup' | 'ban' | 'status';
  /** Who or what wrote it: an actor label or a system component (`monitoring`, `backups`). */
  source: string;
  /** Markdown. */
  body: string;
  /** The incident status this entry set, for public updates. */
  status: IncidentStatus | null;
  /** 1 when the entry is an update shown on the status page and mailed to subscribers. */
  public: number;
  /** 1, 2, 3… in the order the incident's entries were written; orders entries of the same `at`. */
  seq: number;
  created_at: number;
}

export interface StatusPageTable {
  instance_id: string;
  /** The customer's name as the page shows it. */
  name: string;
  logo_url: string | null;
  /** Monthly uptime target, percent (99 by default). */
  sla_target: number;
  revision: number;
  created_at: number;
  updated_at: number;
}

export interface StatusComponentTable {
  /** `cmp_…` */
  id: string;
  instance_id: string;
  name: string;
  description: string | null;
  position: number;
  /** Set by people; overrides what the monitors say until cleared. */
  manual_status: ComponentStatus | null;
  /** JSON array of monitor ids whose state the component shows. */
  monitors: string;
  created_at: number;
  updated_at: number;
}

export interface MaintenanceTable {
  /** `mnt_…` */
  id: string;
  instance_id: string;
  title: string;
  /** Markdown. */
  body: string;
  state: 'scheduled' | 'in_progress' | 'completed' | 'cancelled';
  /** JSON array of component ids. */
  components: string;
  starts_at: number;
  ends_at: number;
  /** 1 when the window touches business hours (confirmed by whoever scheduled it). */
  in_business_hours: number;
  created_at: number;
  updated_at: number;
}

export interface StatusSubscriberTable {
  /** `sub_…` */
  id: string;
  instance_id: string;
  email: string;
  /** JSON array of component ids; empty for every component. */
  components: string;
  /** Null until the address confirms (double opt-in); nothing is sent before. */
  confirmed_at: number | null;
  created_at: number;
}

export interface StatusDeliveryTable {
  /** The timeline entry (`tle_…`) or maintenance (`mnt_…`) mailed. */
  entry_id: string;
  subscriber_id: string;
  sent_at: number;
}

export interface MonitorTable {
  /** `mon_…` */
  id: string;
  name: string;
  kind: 'http' | 'tcp' | 'heartbeat' | 'app_status' | 'host';
  instance_id: string | null;
  /** `manual`, or `template` for monitors an instance's policy template created. */
  source: 'manual' | 'template' | 'node';
  /** JSON object: the kind's settings (url, expected status, keyword, host, port, thresholds…). */
  settings: string;
  interval_seconds: number;
  timeout_ms: number;
  /** Failed checks in a row before the monitor is down. */
  retries: number;
  severity: 'critical' | 'warning' | 'info';
  /** How long the monitor stays down before its alert fires (pending until then). */
  for_seconds: number;
  /** JSON object of string labels. */
  labels: string;
  enabled: number;
  /** SHA-256 of a heartbeat monitor's push token; the token is shown once. */
  push_token_hash: string | null;
  state: 'unknown' | 'up' | 'down';
  failures: number;
  last_message: string | null;
  last_latency_ms: number | null;
  last_checked_at: number | null;
  last_pushed_at: number | null;
  state_since: number | null;
  created_at: number;
  updated_at: number;
  /** The node whose template created it (`source` = `node`). */
  node_id: Generated<string | null>;
}

export interface CheckResultTable {
  monitor_id: string;
  at: number;
  ok: number;
  latency_ms: number;
  message: string | null;
}

export interface CheckRollupTable {
  monitor_id: string;
  granularity: 'minute' | 'hour' | 'day';
  /** Start of the bucket, epoch ms UTC. */
  bucket: number;
  checks: number;
  failures: number;
  latency_sum: number;
  latency_max: number;
}

/** Checks per latency bin (see `latencyBinsMs`) per monitor and UTC hour: mergeable for percentiles. */
export interface CheckLatencyHourTable {
  monitor_id: string;
  bucket: number;
  bin: number;
  count: number;
}

/** A host monitor's EWMA baseline of one metric (JSON of `Baseline`), kept across restarts. */
export interface MonitorBaselineTable {
  monitor_id: string;
  metric: string;
  state: string;
  updated_at: number;
}

/** A server Roost manages (Swarm node or the local machine). */
export interface NodeTable {
  /** `nod_…` */
  id: string;
  name: string;
  address: string;
  /** JSON array of `front`, `db`, `backup`, `staging`. */
  roles: string;
  exporter_url: string | null;
  created_at: number;
  removed_at: number | null;
}

/** Weekly reports already mailed, so a job run twice mails once. */
export interface MonitoringReportTable {
  instance_id: string;
  /** ISO week, `2026-W47`. */
  week: string;
  /** JSON array of addresses. */
  recipients: string;
  sent_at: number;
}

export interface AlertTable {
  /** `alr_…` */
  id: string;
  /** Same condition on the same target: one alert, however often it is seen. */
  fingerprint: string;
  monitor_id: string | null;
  instance_id: string | null;
  /** Alerts notified together (per instance). */
  group_key: string;
  severity: 'critical' | 'warning' | 'info';
  labels: string;
  summary: string;
  state: 'pending' | 'firing' | 'resolved';
  route: 'support' | 'oncall' | null;
  /** Escalation level paged so far (0: none). */
  level: number;
  /** `sil_…` or `maintenance:…` while suppressed. */
  suppressed_by: string | null;
  pending_since: number;
  fired_at: number | null;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  /** The last state people were told about (`firing`, `resolved`), for group notifications. */
  notified_state: string | null;
  updated_at: number;
}

export interface SilenceTable {
  /** `sil_…` */
  id: string;
  /** JSON array of `{ label, value, regex? }`. */
  matchers: string;
  author: string;
  comment: string;
  starts_at: number;
  ends_at: number;
  expired_at: number | null;
  created_at: number;
}

export interface NotificationChannelTable {
  /** `chn_…` */
  id: string;
  name: string;
  kind: 'email' | 'webhook';
  /** JSON: `{ to: [...] }` or `{ url, slack }`. */
  settings: string;
  created_at: number;
}

export interface NotificationDeliveryTable {
  /** `ntf_…` */
  id: string;
  alert_id: string;
  channel_id: string;
  /** `firing`, `resolved`, `escalation:2`, `support`… */
  reason: string;
  recipient: string;
  /** JSON: `{ subject, text, alertIds }`, kept so a retry sends the same message. */
  payload: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
}

export interface OnCallScheduleTable {
  /** `sch_…` */
  id: string;
  name: string;
  time_zone: string;
  /** JSON array of rotation layers. */
  layers: string;
  /** JSON array of `{ user, from, until }`. */
  overrides: string;
  created_at: number;
  updated_at: number;
}

export interface EscalationPolicyTable {
  /** `esc_…` */
  id: string;
  name: string;
  /** JSON array of emails paged during business hours. */
  support: string;
  /** JSON array of `{ scheduleId, timeoutMinutes }`, level 1 first. */
  levels: string;
  created_at: number;
  updated_at: number;
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

/** An account manager (a user with that role) assigned to an instance: told first about its incidents. */
export interface InstanceAccountManagerTable {
  instance_id: string;
  user_id: string;
  created_at: number;
}

/** A customer contact address of an instance (R24). */
export interface InstanceContactTable {
  /** `ctc_…` */
  id: string;
  instance_id: string;
  name: string;
  email: string;
  /** JSON array: `incidents`, `postmortems`, `maintenances`. */
  receives: string;
  created_at: number;
}

/** The alert an incident was opened from (one click from the alert page). */
export interface IncidentAlertTable {
  incident_id: string;
  alert_id: string;
}

/**
 * A mail a customer contact received, once per entry (`<maintenance id>:72h`,
 * `postmortem:<incident id>@<publication time, ms>`; `postmortem:<incident id>` before publications were
 * told apart).
 */
export interface ContactDeliveryTable {
  entry_id: string;
  contact_id: string;
  sent_at: number;
}

/** One move of an instance to another runtime (see src/migration). */
export interface InstanceMigrationTable {
  /** `mig_…` */
  id: string;
  instance_id: string;
  /** The `instance_operations` row that keeps other operations away while the move runs. */
  operation_id: string;
  source: 'local' | 'swarm';
  target: 'local' | 'swarm';
  trigger: 'manual' | 'drp' | 'drill';
  state: 'queued' | 'running' | 'succeeded' | 'rolled-back' | 'failed';
  /** The last step done: the job resumes after it, or rolls back when it is before the name switch. */
  step: string;
  /** `fresh`, `latest` or a backup id. */
  backup_choice: string;
  backup_id: string | null;
  /** `host:port` of the new placement, once provisioned. */
  endpoint: string | null;
  /** JSON: `[{ step, ms, at }]`, the report. */
  report: string;
  error: string | null;
  /** JSON: `{ id, label }` of who asked. */
  requested_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface RestoreDrillTable {
  /** `drl_…` */
  id: string;
  /** The instance whose backup is drilled. */
  instance_id: string;
  /** The backup restored; null when the instance had no good backup. */
  backup_id: string | null;
  /** The throw-away staging instance's slug, chosen before it is created (unique forever, like slugs). */
  scratch_slug: string;
  trigger: 'manual' | 'schedule';
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  job_id: string | null;
  progress: string | null;
  /** JSON: `[{ step, ms }]`, each step's duration. */
  steps: string;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A restore asked for by someone (UI, API, CLI) and run by the `backup.restore` job (see src/backups). */
export interface BackupRestoreTable {
  /** `rst_…` */
  id: string;
  /** The instance whose backup is restored. */
  instance_id: string;
  /** The backup chosen when the restore was queued. */
  backup_id: string;
  /** Null: in place (the instance's own data is replaced); else the new instance the data goes into. */
  into_slug: string | null;
  into_environment: InstanceTable['environment'] | null;
  into_runtime: InstanceTable['runtime'] | null;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  job_id: string | null;
  progress: string | null;
  /** JSON: `[{ step, ms }]`, each step's duration. */
  steps: string;
  /** JSON: the restore report (row counts, /status, safety backup), once it succeeded. */
  report: string | null;
  error: string | null;
  /** JSON: `{ id, label }` of who asked. */
  requested_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}
