import { z } from 'zod';
import { RoostError } from '../core/errors.ts';
import { environments, type StackSpec } from './types.ts';

/** DNS label rules, kept short enough for `<slug>-cache` network and service names. */
export const slugPattern = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
/** The same rule as the postgres image's entrypoint: a plain SQL identifier, no quoting needed. */
const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

const limits = z.object({ memoryMb: z.int().min(16).max(1_048_576), cpus: z.number().positive().max(256) });

const stackSpecSchema = z.object({
  instance: z.string().regex(slugPattern, 'a DNS-safe slug: a-z, 0-9 and -, 2 to 40 characters'),
  environment: z.enum(environments),
  release: z.object({ api: z.string().min(1), db: z.string().min(1), cache: z.string().min(1) }),
  api: z.object({
    replicas: z.int().min(1).max(64),
    env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()),
  }),
  db: z.object({
    engine: z.literal('postgres'),
    database: z.string().regex(identifierPattern),
    user: z.string().regex(identifierPattern),
    login: z.string().regex(identifierPattern).optional(),
  }),
  cache: z.object({ engine: z.literal('redis') }),
  limits: z.object({ api: limits, db: limits, cache: limits }),
  labels: z.record(z.string().min(1), z.string()),
  running: z.boolean().optional(),
}) satisfies z.ZodType<StackSpec>;

/** Settings the runtime owns; a spec may not override them, and secrets never travel as variables. */
const reservedApiVariables = /^(PORT|BIND|APP_VERSION|DATABASE_.*|REDIS_.*|JWT_.*|SEED_PASSWORD.*|PATH)$/;

export function validateStackSpec(input: unknown): StackSpec {
  const parsed = stackSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new RoostError('invalid_input', `invalid stack spec: ${z.prettifyError(parsed.error)}`);
  }
  const reserved = Object.keys(parsed.data.api.env).filter((name) => reservedApiVariables.test(name));
  if (reserved.length > 0) {
    throw new RoostError(
      'invalid_input',
      `api.env may not set ${reserved.join(', ')}: the runtime sets them`,
    );
  }
  return parsed.data;
}

export function validateSlug(instance: string): void {
  if (!slugPattern.test(instance))
    throw new RoostError('invalid_input', `invalid instance slug: ${instance}`);
}
