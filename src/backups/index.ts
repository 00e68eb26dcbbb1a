export { runBackupJob } from './backup-job.ts';
export { type BackupDeps, type BackupSettings, defaultBackupSettings } from './deps.ts';
export {
  getDrill,
  listDrills,
  type RestoreDrill,
  runDrill,
  runDrillJob,
  startDrill,
} from './drills.ts';
export { openPostgresSnapshot, postgresEngine } from './engines/postgres.ts';
export type { BackupEngine, EngineSnapshot } from './engines/types.ts';
export { exportBackupKey } from './export-backup-key.ts';
export { ensureInstanceKey, findInstanceKey, generateInstanceKey, type InstanceKey } from './keys.ts';
export { backupLifecycle, isDrillInstance, skippingDrillInstances } from './lifecycle.ts';
export { getBackup, listBackups } from './list-backups.ts';
export { getRestore, listRestores } from './list-restores.ts';
export { type BackupManifest, instanceFile, manifestFile, manifestSchema } from './manifest.ts';
export { backupFolder, writeBackup } from './pipeline.ts';
export { pruneBackups } from './prune.ts';
export {
  type Backup,
  type BackupState,
  backupQueue,
  drillQueue,
  restoreQueue,
  scheduledBackupQueue,
} from './records.ts';
export { registerBackupJobs } from './register-jobs.ts';
export {
  carryOutRestore,
  goodBackup,
  planRestore,
  type RestorePlan,
  type RestoreReport,
  restoreBackup,
  streamRestore,
} from './restore-backup.ts';
export { type NewInstanceSpec, removeInstance, restoreIntoNewInstance } from './restore-into-instance.ts';
export {
  checkAppStatus,
  type RestoreStep,
  type RestoreVerification,
  restoreIntoStack,
  rowCountsMatch,
  stepRecorder,
} from './restore-into-stack.ts';
export { runRestoreJob } from './restore-job.ts';
export { type BackupRestore, restoreJobActor } from './restore-records.ts';
export { backupsToKeep, type RetentionPolicy } from './retention.ts';
export { runBackup } from './run-backup.ts';
export {
  dailyBackupCron,
  drillCron,
  reconcileSchedules,
  scheduleDailyBackup,
  scheduleDrills,
} from './schedule.ts';
export { installationSshKey } from './ssh-client-key.ts';
export { startRestore } from './start-restore.ts';
export { createLocalTarget } from './targets/local.ts';
export { createSftpTarget, type SftpTargetOptions, sshFingerprint } from './targets/sftp.ts';
export type { BackupTarget } from './targets/types.ts';
export { verifyBackupFiles } from './verify.ts';
export { backupDepsFrom } from './wiring.ts';
