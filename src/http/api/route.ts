import type { z } from 'zod';
import type { AuditLog } from '../../audit/types.ts';
import type { Actor } from '../../auth/actor.ts';
import type { Permission } from '../../auth/permissions.ts';
import type { Config } from '../../config/index.ts';
import type { Clock } from '../../core/clock.ts';
import type { DocumentPrinter } from '../../documents/index.ts';
import type { RuntimeKind } from '../../instances/index.ts';
import type { Jobs } from '../../jobs/index.ts';
import type { AlertListener, MaintenanceSource } from '../../monitoring/alerts/records.ts';
import type { IncidentSummarySource } from '../../monitoring/reports/index.ts';
import type { Logger } from '../../observability/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import type { Mailer, UptimeSource } from '../../status/index.ts';
import type { Store } from '../../store/index.ts';
import type { Vault } from '../../vault/index.ts';

/** What API operations run on; the root (`src/main.ts`) builds it once. */
export interface ApiDeps {
  config: Config;
  store: Store;
  vault: Vault;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  jobs: Jobs;
  runtime: Runtime;
  /** The runtime drivers by name (migrations work on two at once); built from `config` when absent. */
  drivers?: Record<RuntimeKind, Runtime>;
  /** Check roll-ups for SLA reports (monitoring); none means no data. */
  uptime?: UptimeSource;
  /** Who hears about alert transitions made by people (acknowledge, resolve): incident timelines. */
  alertListeners?: readonly AlertListener[];
  /** Maintenance windows (status domain): alerts received from Alertmanager honour them too. */
  alertMaintenance?: MaintenanceSource | undefined;
  /** An instance's incidents, for weekly reports (the incidents domain, through monitoring's port). */
  incidentSummaries?: IncidentSummarySource;
  /** Outgoing mail (customer notices), when `smtp.host` is set. */
  mailer?: Mailer | undefined;
  /** PDF output (post-mortems, SLA reports). */
  printer?: DocumentPrinter | undefined;
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * One API operation: method and path (OpenAPI style, `/users/{id}`), the permission it needs, and zod
 * schemas for its input (path parameters, query and JSON body merged into one object) and output. The
 * router, the OpenAPI document, the permission-matrix test and the remote CLI all read this one table.
 */
export interface ApiRoute<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> {
  id: string;
  method: HttpMethod;
  path: string;
  summary: string;
  tag: string;
  /** `authenticated`: any logged-in actor (their own data); a permission otherwise. */
  permission: Permission | 'authenticated';
  input: Input;
  output: Output;
  /** 200 unless said (201 for creations). */
  status?: 200 | 201;
  /** `ndjson`: the operation returns lines to stream (`application/x-ndjson`). */
  produces?: 'json' | 'ndjson';
  run(
    context: { deps: ApiDeps; actor: Actor },
    input: z.output<Input>,
  ): Promise<z.input<Output> | AsyncIterable<string>>;
}

/** Keeps each route's input and output types tied to its schemas. */
export function defineRoute<Input extends z.ZodType, Output extends z.ZodType>(
  route: ApiRoute<Input, Output> & {
    run(
      context: { deps: ApiDeps; actor: Actor },
      input: z.output<Input>,
    ): Promise<z.input<Output> | AsyncIterable<string>>;
  },
): ApiRoute {
  return route as unknown as ApiRoute;
}

/** `/users/{id}` → `/users/:id` for Hono. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
}
