import { z } from 'zod';
import {
  type Backup,
  backupDepsFrom,
  exportBackupKey,
  getBackup,
  listBackups,
  restoreBackup,
  runBackup,
} from '../../../backups/index.ts';
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
      'Restore a backup (default: the newest good one) into the instance after checking its checksums; `confirm` repeats the slug; production needs an admin with a fresh second factor',
    tag: 'backups',
    permission: 'backups:write',
    input: z
      .object({ slug, backupId: z.string().max(100).optional(), confirm: z.string().max(100) })
      .strict(),
    output: z.object({
      slug: z.string(),
      backupId: z.string(),
      durationMs: z.number(),
      steps: z.array(z.object({ step: z.string(), ms: z.number() })),
      rowCounts: z.object({
        expected: z.record(z.string(), z.number()),
        actual: z.record(z.string(), z.number()),
        match: z.boolean(),
      }),
    }),
    run: async ({ deps, actor }, input) =>
      restoreBackup(backupDepsFrom(deps), actor, {
        slug: input.slug,
        confirm: input.confirm,
        ...(input.backupId === undefined ? {} : { backupId: input.backupId }),
      }),
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
