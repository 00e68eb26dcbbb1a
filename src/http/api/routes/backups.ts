import { z } from 'zod';
import {
  type Backup,
  backupDepsFrom,
  exportBackupKey,
  getBackup,
  getDrill,
  listBackups,
  listDrills,
  type RestoreDrill,
  restoreBackup,
  runBackup,
  startDrill,
} from '../../../backups/index.ts';
import { environments } from '../../../runtime/index.ts';
import { defineRoute } from '../route.ts';
import { iso, timestamp } from './schemas.ts';

const slug = z.string().max(100);

const backupSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'pruned']),
  trigger: z.enum(['manual', 'schedule', 'safety']),
  target: z.string(),
  jobId: z.string().nullable(),
  bytes: z.number().nullable(),
  progress: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  prunedAt: timestamp.nullable(),
  /** Sizes, checksums, key fingerprint, engine version, row counts, times. */
  manifest: z.looseObject({}).nullable(),
});

const stepsSchema = z.array(z.object({ step: z.string(), ms: z.number() }));

const drillSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  slug: z.string(),
  backupId: z.string().nullable(),
  scratchSlug: z.string(),
  trigger: z.enum(['manual', 'schedule']),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  progress: z.string().nullable(),
  steps: stepsSchema,
  error: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

function drillBody(drill: RestoreDrill) {
  return {
    ...drill,
    createdAt: iso(drill.createdAt) as string,
    startedAt: iso(drill.startedAt),
    finishedAt: iso(drill.finishedAt),
  };
}

function backupBody(backup: Backup) {
  return {
    ...backup,
    createdAt: iso(backup.createdAt) as string,
    startedAt: iso(backup.startedAt),
    finishedAt: iso(backup.finishedAt),
    prunedAt: iso(backup.prunedAt),
  };
}

export const backupRoutes = [
  defineRoute({
    id: 'backups.list',
    method: 'get',
    path: '/instances/{slug}/backups',
    summary: "An instance's backups, newest first (only `succeeded` ones count and can be restored)",
    tag: 'backups',
    permission: 'backups:read',
    input: z.object({ slug, includePruned: z.enum(['true', 'false']).optional() }).strict(),
    output: z.object({ backups: z.array(backupSchema) }),
    run: async ({ deps, actor }, input) => ({
      backups: (
        await listBackups(deps, actor, { slug: input.slug, includePruned: input.includePruned === 'true' })
      ).map(backupBody),
    }),
  }),
  defineRoute({
    id: 'backups.run',
    method: 'post',
    path: '/instances/{slug}/backups',
    summary: 'Queue a backup of the instance now (follow it with backups.get)',
    tag: 'backups',
    permission: 'backups:write',
    status: 201,
    input: z.object({ slug }).strict(),
    output: backupSchema,
    run: async ({ deps, actor }, input) => backupBody(await runBackup(backupDepsFrom(deps), actor, input)),
  }),
  defineRoute({
    id: 'backups.get',
    method: 'get',
    path: '/backups/{id}',
    summary: 'One backup with its progress and, once it succeeded, its manifest',
    tag: 'backups',
    permission: 'backups:read',
    input: z.object({ id: z.string().max(100) }).strict(),
    output: backupSchema,
    run: async ({ deps, actor }, input) => backupBody(await getBackup(deps, actor, input.id)),
  }),
  defineRoute({
    id: 'backups.restore',
    method: 'post',
    path: '/instances/{slug}/restore',
    summary:
      "Restore a backup (default: the newest good one) after checking its checksums: into the instance itself (`confirm` repeats the slug; a safety backup of the current data is taken first) or `into` a new instance (same customer; `environment` default staging, `runtime` default the source's); then row counts and the app's /status are checked; production needs an admin with a fresh second factor",
    tag: 'backups',
    permission: 'backups:write',
    input: z
      .object({
        slug,
        backupId: z.string().max(100).optional(),
        confirm: z.string().max(100).optional(),
        into: slug.optional(),
        environment: z.enum(environments).optional(),
        runtime: z.enum(['local', 'swarm']).optional(),
      })
      .strict(),
    output: z.object({
      slug: z.string(),
      backupId: z.string(),
      durationMs: z.number(),
      steps: stepsSchema,
      rowCounts: z.object({
        expected: z.record(z.string(), z.number()),
        actual: z.record(z.string(), z.number()),
        match: z.boolean(),
      }),
      restoredInto: z.string().optional(),
      safetyBackupId: z.string().optional(),
      status: z.object({ url: z.string(), ok: z.boolean(), detail: z.string() }).optional(),
    }),
    run: async ({ deps, actor }, input) =>
      restoreBackup(
        backupDepsFrom(deps),
        actor,
        Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as typeof input,
      ),
  }),
  defineRoute({
    id: 'backups.drills.run',
    method: 'post',
    path: '/instances/{slug}/drills',
    summary:
      "Queue a restore drill: the instance's latest good backup restored into a throw-away staging instance, verified, then removed (follow it with backups.drills.get)",
    tag: 'backups',
    permission: 'backups:write',
    status: 201,
    input: z.object({ slug }).strict(),
    output: drillSchema,
    run: async ({ deps, actor }, input) => drillBody(await startDrill(backupDepsFrom(deps), actor, input)),
  }),
  defineRoute({
    id: 'backups.drills.list',
    method: 'get',
    path: '/drills',
    summary: 'Restore drills, newest first, of every instance or of one (`slug`)',
    tag: 'backups',
    permission: 'backups:read',
    input: z.object({ slug: slug.optional() }).strict(),
    output: z.object({ drills: z.array(drillSchema) }),
    run: async ({ deps, actor }, input) => ({
      drills: (await listDrills(deps, actor, input.slug ? { slug: input.slug } : {})).map(drillBody),
    }),
  }),
  defineRoute({
    id: 'backups.drills.get',
    method: 'get',
    path: '/drills/{id}',
    summary: 'One restore drill with its progress, steps and outcome',
    tag: 'backups',
    permission: 'backups:read',
    input: z.object({ id: z.string().max(100) }).strict(),
    output: drillSchema,
    run: async ({ deps, actor }, input) => drillBody(await getDrill(deps, actor, input.id)),
  }),
  defineRoute({
    id: 'backups.key.export',
    method: 'post',
    path: '/instances/{slug}/backup-key/export',
    summary: "Export the instance's private OpenPGP backup key: admins with a fresh second factor; audited",
    tag: 'backups',
    permission: 'keys:export',
    input: z.object({ slug }).strict(),
    output: z.object({ slug: z.string(), fingerprint: z.string(), privateKey: z.string() }),
    run: async ({ deps, actor }, input) => exportBackupKey(deps, actor, input),
  }),
];
