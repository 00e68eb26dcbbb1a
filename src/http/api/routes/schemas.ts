import { z } from 'zod';
import { allPermissions, roles } from '../../../auth/permissions.ts';

/** Times in API bodies are ISO 8601 strings. */
export const timestamp = z.iso.datetime();
export const iso = (value: Date | number | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();

export const permissionSchema = z.enum(allPermissions as [string, ...string[]]);
export const roleSchema = z.enum(roles);
export const limitSchema = z.coerce.number().int().min(1).max(1_000).optional();
export const idSchema = z.string().min(1).max(100);
export const okSchema = z.object({ ok: z.literal(true) });
