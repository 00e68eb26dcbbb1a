export type { MigrationDeps } from './deps.ts';
export { dnsKeyName, dnsKeyOwner, instanceName, placementOf, serviceName, switchName } from './dns.ts';
export { type DrpPlanEntry, drillQueue, drpPlan, parseRuntime, registerDrill, runDrill } from './drp.ts';
export { getMigration, listMigrations } from './list-migrations.ts';
export { endDeadMigration, registerMigrationJobs, runMigration } from './migration-job.ts';
export { type Migration, migrationQueue, migrationSteps, type StepTime } from './records.ts';
export { setDnsKey } from './set-dns-key.ts';
export { startMigration } from './start-migration.ts';
export { migrationDepsFrom } from './wiring.ts';
