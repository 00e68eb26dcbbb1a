import { type Actor, authorize } from '../auth/actor.ts';
import { RoostError } from '../core/errors.ts';
import { type RuntimeKind, runtimeKinds } from '../instances/index.ts';
import type { MigrationDeps } from './deps.ts';
import { startMigration } from './start-migration.ts';

export interface DrpPlanEntry {
  slug: string;
  customer: string;
  state: string;
  from: RuntimeKind;
  to: RuntimeKind;
  /** What the move would do, or why it would not. */
  action: 'migrate' | 'already there' | 'not running';
  /** The newest good backup now (the move takes a fresh one first). */
  latestBackup: { id: string; createdAt: string } | null;
}

/**
 * The disaster recovery plan as a dry run (`instances:read`): every production instance, where it runs,
 * where the plan would move it, and its newest good backup. Nothing is changed.
 */
export async function drpPlan(
  deps: Pick<MigrationDeps, 'store'>,
  actor: Actor,
  input: { to?: string | undefined } = {},
): Promise<{ to: RuntimeKind | 'other'; instances: DrpPlanEntry[] }> {
  authorize(actor, 'instances:read');
  const to = input.to === undefined ? undefined : parseRuntime(input.to);
  const rows = await deps.store.db
    .selectFrom('instances')
    .selectAll()
    .where('environment', '=', 'production')
    .where('state', 'not in', ['decommissioning', 'decommissioned'])
    .orderBy('slug')
    .execute();
  const instances: DrpPlanEntry[] = [];
  for (const row of rows) {
    const target = to ?? (row.runtime === 'local' ? 'swarm' : 'local');
    const backup = await deps.store.db
      .selectFrom('backups')
      .select(['id', 'created_at'])
      .where('instance_id', '=', row.id)
      .where('state', '=', 'succeeded')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    instances.push({
      slug: row.slug,
      customer: row.customer,
      state: row.state,
      from: row.runtime,
      to: target,
      action:
        row.runtime === target
          ? 'already there'
          : row.state === 'running' || row.state === 'degraded'
            ? 'migrate'
            : 'not running',
      latestBackup: backup
        ? { id: backup.id, createdAt: new Date(Number(backup.created_at)).toISOString() }
        : null,
    });
  }
  return { to: to ?? 'other', instances };
}

export function parseRuntime(value: string): RuntimeKind {
  if (!(runtimeKinds as readonly string[]).includes(value))
    throw new RoostError('invalid_input', `to: expected one of ${runtimeKinds.join(', ')}, got "${value}"`, {
      field: 'to',
    });
  return value as RuntimeKind;
}

/** The queue of the monthly drill (configuration `drp.drill`). */
export const drillQueue = 'drp.drill';
const drillActorId = 'job:drp.drill';

/**
 * The monthly migration drill: the configured staging instance moves to the other runtime, and the next
 * month back, through exactly the path of a disaster recovery. Production is refused: a drill never puts
 * a customer's production at risk, and a staging instance exercises every step with real data.
 */
export async function runDrill(deps: MigrationDeps): Promise<unknown> {
  const { drill } = deps.config.drp;
  if (!drill.enabled || !drill.instance) return { skipped: 'drp.drill is off' };
  const row = await deps.store.db
    .selectFrom('instances')
    .select(['slug', 'environment', 'runtime'])
    .where('slug', '=', drill.instance)
    .executeTakeFirst();
  if (!row) throw new RoostError('not_found', `drp.drill.instance: no instance ${drill.instance}`);
  if (row.environment === 'production')
    throw new RoostError(
      'invalid_input',
      `drp.drill.instance: ${row.slug} is production; drills move staging only`,
    );
  const actor: Actor = {
    kind: 'local',
    id: drillActorId,
    label: 'monthly migration drill',
    role: 'operator',
    permissions: new Set(['instances:read', 'instances:write']),
    secondFactorAt: null,
    ip: null,
  };
  const migration = await startMigration(deps, actor, {
    slug: row.slug,
    to: row.runtime === 'local' ? 'swarm' : 'local',
    trigger: 'drill',
  });
  return { migrationId: migration.id, to: migration.target };
}

/** Schedules (or, when off, leaves unscheduled) the drill; `roost serve` calls it. */
export async function registerDrill(deps: MigrationDeps): Promise<void> {
  deps.jobs.work(drillQueue, () => runDrill(deps));
  const { drill } = deps.config.drp;
  if (drill.enabled) await deps.jobs.schedule({ name: 'drp-drill', cron: drill.cron, queue: drillQueue });
}
