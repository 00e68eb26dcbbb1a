import { readFileSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { RoostError } from '../../core/errors.ts';
import {
  type CertificateVerdict,
  type ErasureCertificate,
  registerInstanceJobs,
  runtimeKinds,
  verifyCertificate,
} from '../../instances/index.ts';
import { apiDepsOf } from '../../main.ts';
import { environments, stackSecretNames } from '../../runtime/index.ts';
import type { ApiClient } from '../client.ts';
import { exitCodes } from '../exit-codes.ts';
import { followUntilEnded, runJobsHere } from '../follow.ts';
import { createOutput, type Output, table } from '../output.ts';
import { withClient } from './with-client.ts';

interface InstanceBody {
  id: string;
  slug: string;
  customer: string;
  environment: string;
  runtime: string;
  replicas: number;
  state: string;
  lastError: string | null;
  createdAt: string;
  decommissionedAt: string | null;
  endpoint?: string | null;
}

interface OperationBody {
  id: string;
  kind: string;
  state: string;
  progress: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface StatusBody {
  state: string;
  endpoints: { api: string[] };
  notes: string[];
  services?: Array<{ name: string; runningReplicas: number; desiredReplicas: number; health: string }>;
}

type WithOperation = { instance: InstanceBody; operation: OperationBody };

const replicasOption = (value: string): number => {
  const replicas = Number(value);
  if (!Number.isInteger(replicas))
    throw new RoostError('invalid_input', `--replicas: not an integer: ${value}`);
  return replicas;
};

export function registerInstances(program: Command): void {
  const instance = program.command('instance').description('customer instances: private stacks');
  instance
    .command('create <slug>')
    .description('create an instance and queue its provisioning (secrets are generated, never shown)')
    .requiredOption('--customer <name>', 'the customer this stack belongs to')
    .addOption(new Option('--env <environment>', 'environment').choices(environments).makeOptionMandatory())
    .option('--replicas <n>', 'API replicas, 1 to 10', replicasOption, 1)
    .addOption(
      new Option(
        '--runtime <runtime>',
        "where the stack runs (default: the installation's runtime.default)",
      ).choices(runtimeKinds),
    )
    .option('--engine <engine>', 'database engine: postgres (mongodb is not available here)', 'postgres')
    .option('--wait', 'follow the operation until it ends, with progress on standard error')
    .option('--timeout <seconds>', 'how long --wait waits', Number, 600)
    .action(
      async (
        slug: string,
        options: {
          engine: string;
          customer: string;
          env: string;
          replicas: number;
          runtime?: string;
          wait?: boolean;
          timeout: number;
        },
        command: Command,
      ) =>
        withClient(command, async (client, { output }) => {
          const created = await client.call<WithOperation>('instances.create', {
            slug,
            customer: options.customer,
            environment: options.env,
            replicas: options.replicas,
            ...(options.runtime ? { runtime: options.runtime } : {}),
            engine: options.engine,
          });
          const result = options.wait ? await waitFor(client, output, created, options.timeout) : created;
          output.result(result, () => describe(result));
        }),
    );
  instance
    .command('list')
    .description('list instances (decommissioned ones stay as tombstones)')
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const { instances } = await client.call<{ instances: InstanceBody[] }>('instances.list');
        output.result({ instances }, () =>
          table([
            ['SLUG', 'CUSTOMER', 'ENV', 'REPLICAS', 'STATE', 'ID'],
            ...instances.map((entry) => [
              entry.slug,
              entry.customer,
              entry.environment,
              String(entry.replicas),
              entry.state,
              entry.id,
            ]),
          ]),
        );
      }),
    );
  instance
    .command('show <slug>')
    .description('an instance, what its runtime runs now, and its recent operations')
    .action(async (slug: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const details = await client.call<{
          instance: InstanceBody;
          status: StatusBody | null;
          operations: OperationBody[];
        }>('instances.get', { slug });
        output.result(details, () => {
          const { instance: shown, status, operations } = details;
          const lines = [
            `${shown.slug} (${shown.id}): ${shown.state}, ${shown.environment}, customer ${shown.customer}, ${shown.replicas} replica(s), ${shown.runtime} runtime`,
          ];
          if (shown.lastError) lines.push(`last error: ${shown.lastError}`);
          if (shown.decommissionedAt) lines.push(`decommissioned at ${shown.decommissionedAt}`);
          if (shown.endpoint)
            lines.push(`endpoint (the name's target since the last migration): ${shown.endpoint}`);
          if (status) {
            lines.push(`runtime: ${status.state}; api ${status.endpoints.api.join(' ') || '(none)'}`);
            for (const service of status.services ?? [])
              lines.push(
                `  ${service.name}: ${service.runningReplicas}/${service.desiredReplicas} ${service.health}`,
              );
            for (const note of status.notes) lines.push(`note: ${note}`);
          }
          lines.push(
            table([
              ['OPERATION', 'KIND', 'STATE', 'CREATED', 'PROGRESS'],
              ...operations.map((operation) => [
                operation.id,
                operation.kind,
                operation.state,
                operation.createdAt,
                operation.error ?? operation.progress ?? '',
              ]),
            ]),
          );
          return lines.join('\n');
        });
      }),
    );
  operationCommand(instance, 'scale <slug>', 'set the number of API replicas', 'instances.scale', (command) =>
    command.requiredOption('--replicas <n>', 'API replicas, 1 to 10', replicasOption),
  ).input = (slug, options) => ({ slug, replicas: options.replicas });
  operationCommand(
    instance,
    'update <slug>',
    'set a new release and roll it out one API replica at a time (a release failing its health checks is rolled back)',
    'instances.update',
    (command) =>
      command
        .option('--api <reference>', 'API image (swarm: roost/sample-api:<tag>, sha256:…) or version (local)')
        .option('--db <reference>', 'database image or version')
        .option('--cache <reference>', 'cache image or version'),
  ).input = (slug, options) => ({
    slug,
    release: Object.fromEntries(
      (['api', 'db', 'cache'] as const).flatMap((name) => (options[name] ? [[name, options[name]]] : [])),
    ),
  });
  operationCommand(instance, 'stop <slug>', 'stop every service; data and secrets stay', 'instances.stop');
  operationCommand(instance, 'start <slug>', 'start a stopped instance', 'instances.start');
  operationCommand(
    instance,
    'restart <slug>',
    'restart the services, the API one replica at a time',
    'instances.restart',
  );
  operationCommand(
    instance,
    'decommission <slug>',
    'stop everything and erase the stack, its files and its secrets; the record stays as a tombstone',
    'instances.decommission',
  );
  registerCertificate(instance);
  const secrets = instance.command('secrets').description("an instance's secrets");
  operationCommand(
    secrets,
    'rotate <slug> <name>',
    `replace one secret (${stackSecretNames.join(', ')}) without downtime; the value is never shown`,
    'instances.secrets.rotate',
  );
  secrets
    .command('reveal <slug> <name>')
    .description(
      `print one secret (${stackSecretNames.join(', ')}); admins with a fresh second factor; audited`,
    )
    .action(async (slug: string, name: string, _options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const revealed = await client.call<{ slug: string; name: string; value: string }>(
          'instances.secrets.reveal',
          { slug, name },
        );
        output.result(revealed, () => revealed.value);
      }),
    );
}

interface OperationCommand {
  /** The API input from the slug and the command's options; default `{ slug }`. */
  input: (slug: string, options: Record<string, string | number | undefined>) => Record<string, unknown>;
}

/** A command that starts an instance operation and, with --wait, follows it with progress. */
function operationCommand(
  parent: Command,
  usage: string,
  description: string,
  route: string,
  configure: (command: Command) => Command = (command) => command,
): OperationCommand {
  const spec: OperationCommand = { input: (slug) => ({ slug }) };
  configure(parent.command(usage).description(description))
    .option('--wait', 'follow the operation until it ends, with progress on standard error')
    .option('--timeout <seconds>', 'how long --wait waits', Number, 600)
    .action(async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const options = command.opts() as Record<string, string | number | undefined> & {
        wait?: boolean;
        timeout: number;
      };
      const positional = args.slice(0, -2) as string[];
      const slug = positional[0] as string;
      const extra = positional.slice(1);
      await withClient(command, async (client, { output }) => {
        const started = await client.call<WithOperation>(route, {
          ...spec.input(slug, options),
          ...(extra.length > 0 ? { name: extra[0] } : {}),
        });
        const result = options.wait ? await waitFor(client, output, started, options.timeout) : started;
        output.result(result, () => describe(result));
      });
    });
  return spec;
}

function describe({ instance, operation }: WithOperation): string {
  const outcome = operation.error ? `: ${operation.error}` : '';
  return `${instance.slug} (${instance.id}) is ${instance.state}; ${operation.kind} operation ${operation.id} ${operation.state}${outcome}`;
}

/**
 * Follows an operation until it ends. On the server the CLI has no job worker of its own, so it runs the
 * instance job queue in this process while it waits (a `roost serve` on the same data may take the job
 * first: leases keep one runner).
 */
async function waitFor(
  client: ApiClient,
  output: Output,
  started: WithOperation,
  timeoutSeconds: number,
): Promise<WithOperation> {
  // With the other domains' lifecycle listeners: a stack provisioned here gets its backup key, schedules
  // and monitors at once, as under `roost serve`, not at the next converge.
  runJobsHere(client.roost, [
    (roost) => registerInstanceJobs({ ...apiDepsOf(roost), lifecycle: roost.lifecycle }),
  ]);
  const { slug } = started.instance;
  const { instance, operation } = await followUntilEnded(output, timeoutSeconds, {
    read: async () => {
      const details = await client.call<{ instance: InstanceBody; operations: OperationBody[] }>(
        'instances.get',
        { slug },
      );
      const current = details.operations.find((candidate) => candidate.id === started.operation.id);
      if (!current) throw new RoostError('not_found', `operation ${started.operation.id} disappeared`);
      return { instance: details.instance, operation: current };
    },
    line: ({ operation: current }) => `${current.kind} ${current.state}: ${current.progress ?? ''}`,
    ended: ({ operation: current }) => current.state === 'succeeded' || current.state === 'failed',
    stillRunning: ({ operation: current }) =>
      `${current.kind} of ${slug} still ${current.state} after ${timeoutSeconds} s; follow it with roost instance show ${slug}`,
  });
  if (operation.state === 'failed')
    throw new RoostError('internal', `${operation.kind} of ${instance.slug} failed: ${operation.error}`);
  return { instance, operation };
}

/** `roost instance certificate <slug>`, `… verify <file>` and `… public-key`. */
function registerCertificate(instance: Command): void {
  const certificate = instance
    .command('certificate')
    .description('the signed erasure certificate of a decommissioned instance (JSON)')
    .argument('<slug>', 'the instance')
    .option('--output <file>', 'write the certificate to this file instead of standard output')
    .action(async (slug: string, options: { output?: string }, command: Command) =>
      withClient(command, async (client, { output }) => {
        const issued = await client.call<ErasureCertificate>('instances.certificate', { slug });
        const text = `${JSON.stringify(issued, null, 2)}\n`;
        if (options.output) {
          writeFileSync(options.output, text, { mode: 0o644 });
          output.info(`certificate of ${slug} written to ${options.output}`);
        } else process.stdout.write(text);
      }),
    );
  certificate
    .command('verify <file>')
    .description(
      "check a certificate's signature and that this installation signed it; exit 0 valid, 1 not valid",
    )
    .option(
      '--key <file>',
      "trust this public key (PEM, from 'certificate public-key') instead of asking Roost",
    )
    .option('--offline', 'check the signature with the key it carries only, without Roost')
    .action(async (file: string, options: { key?: string; offline?: boolean }, command: Command) => {
      const body = readCertificate(file);
      const report = (verdict: CertificateVerdict, output: Output, note = '') => {
        output.result(verdict, () =>
          verdict.valid
            ? `valid: erasure of ${verdict.slug} signed ${verdict.signedAt} by ${verdict.keyId}${note}`
            : `invalid: ${verdict.reason}`,
        );
        if (!verdict.valid) process.exitCode = exitCodes.failure;
      };
      if (options.key || options.offline) {
        const output = createOutput(Boolean(command.optsWithGlobals<{ json?: boolean }>().json));
        const trusted = options.key ? readText(options.key) : undefined;
        report(
          verifyCertificate(body, trusted),
          output,
          options.offline && !options.key ? ' (offline: whose key this is was not checked)' : '',
        );
        return;
      }
      await withClient(command, async (client, { output }) =>
        report(await client.call<CertificateVerdict>('certificates.verify', body), output),
      );
    });
  certificate
    .command('public-key')
    .description("this installation's signing public key (PEM), to verify certificates without Roost")
    .action(async (_options, command: Command) =>
      withClient(command, async (client, { output }) => {
        const key = await client.call<{ keyId: string; publicKey: string }>('certificates.key');
        if (!output.json) output.info(`key id ${key.keyId}`);
        output.result(key, () => key.publicKey.trimEnd());
      }),
    );
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RoostError('invalid_input', `cannot read ${file}: ${(error as Error).message}`);
  }
}

function readCertificate(file: string): Record<string, unknown> {
  const text = readText(file);
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {}
  throw new RoostError('invalid_input', `${file} is not a JSON certificate`);
}
