import { z } from 'zod';
import { RoostError } from '../../../core/errors.ts';
import {
  createInstance,
  decommissionInstance,
  erasureCertificateSchema,
  getCertificate,
  getInstance,
  type Instance,
  type InstanceOperation,
  installationKey,
  listInstances,
  restartInstance,
  revealInstanceSecret,
  rotateInstanceSecret,
  runtimeKinds,
  scaleInstance,
  startInstance,
  stopInstance,
  updateInstance,
  verifyInstallationCertificate,
} from '../../../instances/index.ts';
import { environments, stackSecretNames } from '../../../runtime/index.ts';
import { defineRoute } from '../route.ts';
import { iso, timestamp } from './schemas.ts';

const slug = z.string().max(100);

const instanceSchema = z.object({
  id: z.string(),
  slug: z.string(),
  customer: z.string(),
  environment: z.enum(environments),
  runtime: z.enum(runtimeKinds),
  release: z.object({ api: z.string(), db: z.string(), cache: z.string() }),
  replicas: z.number().int(),
  running: z.boolean(),
  state: z.string(),
  lastError: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  decommissionedAt: timestamp.nullable(),
  /** `host:port` the name points at since the last migration (the edge route where no DNS is configured). */
  endpoint: z.string().nullable().optional(),
});

const operationSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  kind: z.enum(['create', 'scale', 'update', 'stop', 'start', 'restart', 'rotate', 'remove', 'migrate']),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  jobId: z.string().nullable(),
  progress: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

/** The runtime's view (StackStatus); loose so a driver may add facts without breaking the API. */
const statusSchema = z.looseObject({
  runtime: z.string(),
  state: z.enum(['running', 'degraded', 'stopped']),
  endpoints: z.object({ api: z.array(z.string()) }),
  notes: z.array(z.string()),
});

const verdictSchema = z.object({
  valid: z.boolean(),
  reason: z.string().optional(),
  slug: z.string().optional(),
  signedAt: z.string().optional(),
  keyId: z.string().optional(),
});

const withOperation = z.object({ instance: instanceSchema, operation: operationSchema });

function instanceBody(instance: Instance) {
  return {
    ...instance,
    createdAt: iso(instance.createdAt) as string,
    updatedAt: iso(instance.updatedAt) as string,
    decommissionedAt: iso(instance.decommissionedAt),
  };
}

function operationBody(operation: InstanceOperation) {
  return {
    ...operation,
    createdAt: iso(operation.createdAt) as string,
    startedAt: iso(operation.startedAt),
    finishedAt: iso(operation.finishedAt),
  };
}

const both = (result: { instance: Instance; operation: InstanceOperation }) => ({
  instance: instanceBody(result.instance),
  operation: operationBody(result.operation),
});

export const instanceRoutes = [
  defineRoute({
    id: 'instances.list',
    method: 'get',
    path: '/instances',
    summary: 'List instances, decommissioned tombstones included',
    tag: 'instances',
    permission: 'instances:read',
    input: z.object({}).strict(),
    output: z.object({ instances: z.array(instanceSchema) }),
    run: async ({ deps, actor }) => ({ instances: (await listInstances(deps, actor)).map(instanceBody) }),
  }),
  defineRoute({
    id: 'instances.create',
    method: 'post',
    path: '/instances',
    summary: 'Create an instance: registers it and queues its provisioning (follow the operation)',
    tag: 'instances',
    permission: 'instances:write',
    status: 201,
    input: z
      .object({
        slug,
        customer: z.string().max(200),
        environment: z.string().max(50).describe(environments.join(' | ')),
        replicas: z.number().int().optional(),
        runtime: z
          .string()
          .max(20)
          .optional()
          .describe(`${runtimeKinds.join(' | ')}; default: the installation's`),
        engine: z.string().max(20).optional().describe('postgres (mongodb is described but not available)'),
      })
      .strict(),
    output: withOperation,
    run: async ({ deps, actor }, input) =>
      both(await createInstance(deps, actor, input as Parameters<typeof createInstance>[2])),
  }),
  defineRoute({
    id: 'instances.get',
    method: 'get',
    path: '/instances/{slug}',
    summary: 'An instance with its live runtime status and recent operations',
    tag: 'instances',
    permission: 'instances:read',
    input: z.object({ slug }).strict(),
    output: z.object({
      instance: instanceSchema,
      status: statusSchema.nullable(),
      operations: z.array(operationSchema),
    }),
    run: async ({ deps, actor }, input) => {
      const details = await getInstance(deps, actor, input);
      return {
        instance: instanceBody(details.instance),
        status: details.status ? { ...details.status } : null,
        operations: details.operations.map(operationBody),
      };
    },
  }),
  defineRoute({
    id: 'instances.scale',
    method: 'post',
    path: '/instances/{slug}/scale',
    summary: 'Set the number of API replicas (1 to 10) and queue a converge',
    tag: 'instances',
    permission: 'instances:write',
    input: z.object({ slug, replicas: z.number().int() }).strict(),
    output: withOperation,
    run: async ({ deps, actor }, input) => both(await scaleInstance(deps, actor, input)),
  }),
  defineRoute({
    id: 'instances.update',
    method: 'post',
    path: '/instances/{slug}/update',
    summary:
      'Set a new release (api, db, cache: image references on swarm) and queue a rolling update; a release that fails its health checks is rolled back',
    tag: 'instances',
    permission: 'instances:write',
    input: z
      .object({
        slug,
        release: z
          .object({ api: z.string().max(300), db: z.string().max(300), cache: z.string().max(300) })
          .partial()
          .strict(),
      })
      .strict(),
    output: withOperation,
    run: async ({ deps, actor }, input) => both(await updateInstance(deps, actor, input)),
  }),
  ...(
    [
      ['stop', 'Stop every service, keeping data and secrets', stopInstance],
      ['start', 'Start a stopped instance again', startInstance],
      ['restart', 'Restart the services, the API one replica at a time', restartInstance],
    ] as const
  ).map(([verb, summary, operation]) =>
    defineRoute({
      id: `instances.${verb}`,
      method: 'post',
      path: `/instances/{slug}/${verb}`,
      summary,
      tag: 'instances',
      permission: 'instances:write',
      input: z.object({ slug }).strict(),
      output: withOperation,
      run: async ({ deps, actor }, input) => both(await operation(deps, actor, input)),
    }),
  ),
  defineRoute({
    id: 'instances.secrets.rotate',
    method: 'post',
    path: '/instances/{slug}/secrets/{name}/rotate',
    summary: `Rotate one secret (${stackSecretNames.join(', ')}) without downtime; the value is never shown`,
    tag: 'instances',
    permission: 'instances:write',
    input: z.object({ slug, name: z.string().max(50) }).strict(),
    output: withOperation,
    run: async ({ deps, actor }, input) =>
      both(await rotateInstanceSecret(deps, actor, input as Parameters<typeof rotateInstanceSecret>[2])),
  }),
  defineRoute({
    id: 'instances.decommission',
    method: 'post',
    path: '/instances/{slug}/decommission',
    summary: 'Decommission: stop everything, erase files and secrets, keep a tombstone row',
    tag: 'instances',
    permission: 'instances:write',
    input: z.object({ slug }).strict(),
    output: withOperation,
    run: async ({ deps, actor }, input) => both(await decommissionInstance(deps, actor, input)),
  }),
  defineRoute({
    id: 'instances.secrets.reveal',
    method: 'post',
    path: '/instances/{slug}/secrets/{name}/reveal',
    summary: "Reveal one of an instance's secrets: admins with a fresh second factor; audited",
    tag: 'instances',
    permission: 'secrets:reveal',
    input: z.object({ slug, name: z.string().max(100).describe(stackSecretNames.join(' | ')) }).strict(),
    output: z.object({ slug: z.string(), name: z.string(), value: z.string() }),
    run: async ({ deps, actor }, input) =>
      revealInstanceSecret(deps, actor, input as Parameters<typeof revealInstanceSecret>[2]),
  }),
  defineRoute({
    id: 'instances.certificate',
    method: 'get',
    path: '/instances/{slug}/certificate',
    summary: "A decommissioned instance's signed erasure certificate, exactly as issued",
    tag: 'instances',
    permission: 'instances:read',
    input: z.object({ slug }).strict(),
    output: erasureCertificateSchema,
    run: async ({ deps, actor }, input) => getCertificate(deps, actor, input),
  }),
  defineRoute({
    id: 'certificates.verify',
    method: 'post',
    path: '/certificates/verify',
    summary:
      "Verify an erasure certificate (the body): its signature, and that this installation's key made it",
    tag: 'instances',
    permission: 'instances:read',
    // Loose: every field of the body is part of what was signed, so none may be dropped before checking.
    input: z.looseObject({ kind: z.string().max(100), signature: z.string().max(1000) }),
    output: verdictSchema,
    run: async ({ deps, actor }, input) => verifyInstallationCertificate(deps, actor, input),
  }),
  defineRoute({
    id: 'certificates.key',
    method: 'get',
    path: '/certificates/public-key',
    summary: "This installation's erasure-certificate public key (Ed25519, PEM) and its id",
    tag: 'instances',
    permission: 'instances:read',
    input: z.object({}).strict(),
    output: z.object({ keyId: z.string(), publicKey: z.string() }),
    run: async ({ deps, actor }) => {
      const key = await installationKey(deps, actor);
      if (!key) throw new RoostError('not_found', 'this installation has not signed any certificate yet');
      return key;
    },
  }),
];
