import { z } from 'zod';
import type { AuditEvent } from '../../../audit/types.ts';
import { defineRoute } from '../route.ts';
import { iso, limitSchema, timestamp } from './schemas.ts';

const auditEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: timestamp,
  actor: z.object({ id: z.string(), label: z.string() }),
  action: z.string(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  result: z.enum(['ok', 'denied', 'failed']),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});

const filterSchema = z
  .object({
    actor: z.string().max(200).optional(),
    action: z.string().max(200).optional(),
    target: z.string().max(200).optional(),
    result: z.enum(['ok', 'denied', 'failed']).optional(),
    since: timestamp.optional(),
    until: timestamp.optional(),
    beforeSeq: z.coerce.number().int().min(1).optional(),
    limit: limitSchema,
  })
  .strict();

type Filter = z.output<typeof filterSchema>;

function toFilter(input: Filter) {
  const { since, until, ...rest } = input;
  return Object.fromEntries(
    Object.entries({
      ...rest,
      since: since ? new Date(since) : undefined,
      until: until ? new Date(until) : undefined,
    }).filter(([, value]) => value !== undefined),
  );
}

export function auditEventBody(event: AuditEvent) {
  return {
    seq: event.seq,
    id: event.id,
    at: iso(event.at) as string,
    actor: { id: event.actorId, label: event.actorLabel },
    action: event.action,
    target: event.target,
    ip: event.ip,
    result: event.result,
    details: event.details,
    hash: event.hash,
  };
}

export const auditRoutes = [
  defineRoute({
    id: 'audit.list',
    method: 'get',
    path: '/audit',
    summary: 'List audit events, newest first',
    tag: 'audit',
    permission: 'audit:read',
    input: filterSchema,
    output: z.object({ events: z.array(auditEventSchema) }),
    run: async ({ deps }, input) => ({
      events: (await deps.audit.list(toFilter(input))).map(auditEventBody),
    }),
  }),
  defineRoute({
    id: 'audit.export',
    method: 'get',
    path: '/audit/export',
    summary: 'Export audit events as NDJSON, oldest first',
    tag: 'audit',
    permission: 'audit:read',
    input: filterSchema,
    output: z.string(),
    produces: 'ndjson',
    run: async ({ deps }, input) => deps.audit.exportNdjson(toFilter(input)),
  }),
  defineRoute({
    id: 'audit.verify',
    method: 'post',
    path: '/audit/verify',
    summary: 'Recompute the hash chain and name every changed or missing row',
    tag: 'audit',
    permission: 'audit:read',
    input: z.object({}).strict(),
    output: z.object({
      ok: z.boolean(),
      checked: z.number().int(),
      problems: z.array(z.object({ seq: z.number().int(), id: z.string().nullable(), reason: z.string() })),
    }),
    run: async ({ deps }) => deps.audit.verify(),
  }),
];
