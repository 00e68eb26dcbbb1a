import type { Selectable } from 'kysely';
import type { InstanceMigrationTable } from '../store/index.ts';

/** The queue of the job that moves an instance. */
export const migrationQueue = 'instance.migrate';

/** The steps in order; a migration row records the last one done. */
export const migrationSteps = [
  'backup',
  'provision',
  'restore',
  'verify',
  'switch',
  'record',
  'cleanup',
] as const;
export type MigrationStep = (typeof migrationSteps)[number];

/** Before this step is done, a failure rolls back; from it on, the move only goes forward. */
export const pointOfNoReturn: MigrationStep = 'switch';

export interface StepTime {
  step: MigrationStep | 'rollback';
  ms: number;
  at: string;
  note?: string;
}

export interface Migration {
  id: string;
  instanceId: string;
  operationId: string;
  source: InstanceMigrationTable['source'];
  target: InstanceMigrationTable['target'];
  trigger: InstanceMigrationTable['trigger'];
  state: InstanceMigrationTable['state'];
  step: string;
  backupChoice: string;
  backupId: string | null;
  endpoint: string | null;
  steps: StepTime[];
  error: string | null;
  requestedBy: { id: string; label: string };
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const date = (value: number | null): Date | null => (value === null ? null : new Date(Number(value)));

export function toMigration(row: Selectable<InstanceMigrationTable>): Migration {
  return {
    id: row.id,
    instanceId: row.instance_id,
    operationId: row.operation_id,
    source: row.source,
    target: row.target,
    trigger: row.trigger,
    state: row.state,
    step: row.step,
    backupChoice: row.backup_choice,
    backupId: row.backup_id,
    endpoint: row.endpoint,
    steps: JSON.parse(row.report) as StepTime[],
    error: row.error,
    requestedBy: JSON.parse(row.requested_by) as { id: string; label: string },
    createdAt: new Date(Number(row.created_at)),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

/** Steps left after the last one done (`queued`: all of them). */
export function stepsAfter(step: string): MigrationStep[] {
  const index = migrationSteps.indexOf(step as MigrationStep);
  return migrationSteps.slice(index + 1);
}

export function pastPointOfNoReturn(step: string): boolean {
  return migrationSteps.indexOf(step as MigrationStep) >= migrationSteps.indexOf(pointOfNoReturn);
}
