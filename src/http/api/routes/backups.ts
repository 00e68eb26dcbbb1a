import { z } from 'zod';
import {
  type Backup,
  type BackupRestore,
  backupDepsFrom,
  exportBackupKey,
  getBackup,
  getDrill,
  getRestore,
  listBackups,
  listDrills,
  listRestores,
  type RestoreDrill,
  runBackup,
  startDrill,
  startRestore,
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

const restoreReportSchema = z.object({
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
});

const restoreSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  slug: z.string(),
  backupId: z.string(),
  mode: z.enum(['in-place', 'into']),
  into: z
    .object({ slug: z.string(), environment: z.enum(environments), runtime: z.enum(['local', 'swarm']) })
    .nullable(),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  progress: z.string().nullable(),
  steps: stepsSchema,
  report: restoreReportSchema.nullable(),
  error: z.string().nullable(),
  requestedBy: z.object({ id: z.string(), label: z.string() }),
  jobId: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

function restoreBody(restore: BackupRestore) {
  return {
    ...restore,
    createdAt: iso(restore.createdAt) as string,
    startedAt: iso(restore.startedAt),
    finishedAt: iso(restore.finishedAt),
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
    id: 'backups.restores.start',
    method: 'post',
    path: '/instances/{slug}/restores',
    summary:
      "Queue a restore of a backup (default: the newest good one): into the instance itself (`confirm` repeats the slug; a safety backup of the current data is taken first) or `into` a new instance (same customer; `environment` default staging, `runtime` default the source's). Checksums first, then row counts and the app's /status; production needs an admin with a fresh second factor. Follow it with backups.restores.get",
    tag: 'backups',
    permission: 'backups:write',
    status: 201,
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
    output: restoreSchema,
    run: async ({ deps, actor }, input) =>
      restoreBody(
        await startRestore(
          backupDepsFrom(deps),
          actor,
          Object.fromEntries(
            Object.entries(input).filter(([, value]) => value !== undefined),
          ) as typeof input,
        ),
      ),
  }),
  defineRoute({
    id: 'backups.restores.list',
    method: 'get',
    path: '/restores',
    summary:
      'Restores, newest first, of every instance or of one (`slug`, the instance whose backup is restored)',
    tag: 'backups',
    permission: 'backups:read',
    input: z.object({ slug: slug.optional() }).strict(),
    output: z.object({ restores: z.array(restoreSchema) }),
    run: async ({ deps, actor }, input) => ({
      restores: (await listRestores(deps, actor, input.slug ? { slug: input.slug } : {})).map(restoreBody),
    }),
  }),
  defineRoute({
    id: 'backups.restores.get',
    method: 'get',
    path: '/restores/{id}',
    summary: 'One restore with its progress, steps and outcome (the report once it succeeded)',
    tag: 'backups',
    permission: 'backups:read',
    input: z.object({ id: z.string().max(100) }).strict(),
    output: restoreSchema,
    run: async ({ deps, actor }, input) => restoreBody(await getRestore(deps, actor, input.id)),
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
