import { z } from 'zod';

export const manifestFile = 'manifest.json';
export const instanceFile = 'instance.json.gpg';

const fileSchema = z.object({
  name: z.string(),
  bytes: z.number().int(),
  /** Of the file as stored (encrypted): checked before anything is decrypted. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content: z.string(),
});

/**
 * Written last, in clear text beside the encrypted files: what the backup holds, its checksums and how to
 * restore it without Roost. A backup folder without this file never counts.
 */
export const manifestSchema = z.object({
  format: z.literal('roost-backup'),
  version: z.literal(1),
  id: z.string(),
  instance: z.object({ id: z.string(), slug: z.string(), customer: z.string(), environment: z.string() }),
  engine: z.object({ name: z.string(), version: z.string() }),
  key: z.object({ fingerprint: z.string(), algorithm: z.string() }),
  files: z.array(fileSchema),
  rowCounts: z.record(z.string(), z.number()),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  restore: z.array(z.string()),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileSchema>;
