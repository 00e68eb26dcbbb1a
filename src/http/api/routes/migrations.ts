import { z } from 'zod';
import {
  drpPlan,
  getMigration,
  listMigrations,
  type Migration,
  migrationDepsFrom,
  setDnsKey,
  startMigration,
} from '../../../migration/index.ts';
import { defineRoute } from '../route.ts';
import { iso, limitSchema, timestamp } from './schemas.ts';

const slug = z.string().max(100);
const runtime = z.enum(['local', 'swarm']);

const migrationSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  operationId: z.string(),
  source: runtime,
  target: runtime,
  trigger: z.enum(['manual', 'drp', 'drill']),
  state: z.enum(['queued', 'running', 'succeeded', 'rolled-back', 'failed']),
  /** The last step done. */
  step: z.string(),
  backupChoice: z.string(),
  backupId: z.string().nullable(),
  /** `host:port` of the new placement. */
  endpoint: z.string().nullable(),
  /** The report: each step's time in milliseconds. */
  steps: z.array(z.object({ step: z.string(), ms: z.number(), at: z.string(), note: z.string().optional() })),
  error: z.string().nullable(),
  requestedBy: z.object({ id: z.string(), label: z.string() }),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

function migrationBody(migration: Migration) {
  return {
    ...migration,
    createdAt: iso(migration.createdAt) as string,
    startedAt: iso(migration.startedAt),
    finishedAt: iso(migration.finishedAt),
  };
}

export const migrationRoutes = [
  defineRoute({
    id: 'instances.migrate',
    method: 'post',
    path: '/instances/{slug}/migrate',
    summary:
      'Move the instance to another runtime (backup, new stack, restore, verify, name switch, old stack removed); production needs an admin with a fresh second factor; follow it with migrations.get',
    tag: 'migrations',
    permission: 'instances:write',
    status: 201,
    input: z
      .object({
        slug,
        /** `local` or `swarm` (nodes are not modelled yet). */
        to: z.string().max(100),
        /** `fresh` (default), `latest` or a backup id. */
        backup: z.string().min(1).max(100).optional(),
      })
      .strict(),
    output: migrationSchema,
    run: async ({ deps, actor }, input) =>
      migrationBody(
        await startMigration(migrationDepsFrom(deps), actor, {
          slug: input.slug,
          to: input.to,
          ...(input.backup === undefined ? {} : { backup: input.backup }),
        }),
      ),
  }),
  defineRoute({
    id: 'migrations.get',
    method: 'get',
    path: '/migrations/{id}',
    summary: 'One migration: state, the step it reached and the time of each step',
    tag: 'migrations',
    permission: 'instances:read',
    input: z.object({ id: z.string().max(100) }).strict(),
    output: migrationSchema,
    run: async ({ deps, actor }, input) => migrationBody(await getMigration(deps, actor, input.id)),
  }),
  defineRoute({
    id: 'migrations.list',
    method: 'get',
    path: '/migrations',
    summary: 'Migrations, newest first (of one instance with `slug`)',
    tag: 'migrations',
    permission: 'instances:read',
    input: z.object({ slug: slug.optional(), limit: limitSchema }).strict(),
    output: z.object({ migrations: z.array(migrationSchema) }),
    run: async ({ deps, actor }, input) => ({
      migrations: (await listMigrations(deps, actor, input)).map(migrationBody),
    }),
  }),
  defineRoute({
    id: 'drp.plan',
    method: 'get',
    path: '/drp/plan',
    summary:
      'The disaster recovery plan as a dry run: every production instance, where it runs and where it would move',
    tag: 'migrations',
    permission: 'instances:read',
    input: z.object({ to: z.string().max(100).optional() }).strict(),
    output: z.object({
      to: z.enum(['local', 'swarm', 'other']),
      instances: z.array(
        z.object({
          slug: z.string(),
          customer: z.string(),
          state: z.string(),
          from: runtime,
          to: runtime,
          action: z.enum(['migrate', 'already there', 'not running']),
          latestBackup: z.object({ id: z.string(), createdAt: z.string() }).nullable(),
        }),
      ),
    }),
    run: async ({ deps, actor }, input) => drpPlan(deps, actor, input),
  }),
  defineRoute({
    id: 'dns.key.set',
    method: 'put',
    path: '/dns/key',
    summary:
      "Store the TSIG secret of the migrations' DNS name switch in the vault (admins); never shown again",
    tag: 'migrations',
    permission: 'settings:write',
    input: z.object({ secret: z.string().max(200) }).strict(),
    output: z.object({ stored: z.literal(true) }),
    run: async ({ deps, actor }, input) => setDnsKey(deps, actor, input),
  }),
];
