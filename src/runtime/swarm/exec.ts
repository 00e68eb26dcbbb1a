import { PassThrough } from 'node:stream';
import { RoostError } from '../../core/errors.ts';
import type { ExecOptions, ExecResult, ExecStream, ServiceName } from '../types.ts';
import type { DockerClient } from './docker.ts';
import { serviceObjectName } from './names.ts';
import { isRunning, tasksOf } from './wait.ts';

const stderrKept = 64 * 1024;
const maxOutput = 4 * 1024 * 1024;

/** A running container of the service (the first healthy task), as the service's own user. */
async function containerOf(docker: DockerClient, instance: string, service: ServiceName) {
  const tasks = await tasksOf(docker, serviceObjectName(instance, service));
  const id = tasks.find(isRunning)?.Status?.ContainerStatus?.ContainerID;
  if (!id) throw new RoostError('not_found', `no running ${service} container for instance ${instance}`);
  return docker.getContainer(id);
}

/** Starts `argv` (no shell) in the service's container with stdin attached; stdout and stderr demultiplexed. */
export async function startSwarmExec(
  docker: DockerClient,
  instance: string,
  service: ServiceName,
  argv: string[],
): Promise<ExecStream> {
  if (argv.length === 0) throw new RoostError('invalid_input', 'exec needs a command');
  const container = await containerOf(docker, instance, service);
  const exec = await container.exec({ Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderrStream = new PassThrough();
  let stderr = '';
  stderrStream.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-stderrKept);
  });
  docker.modem.demuxStream(stream, stdout, stderrStream);
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  const exited = ended.then(async () => {
    stdout.end();
    // The engine records the exit code a moment after the stream ends.
    for (let attempt = 0; attempt < 50; attempt++) {
      const state = (await exec.inspect()) as { Running?: boolean; ExitCode?: number | null };
      if (!state.Running && state.ExitCode !== null && state.ExitCode !== undefined) {
        return { code: state.ExitCode, stderr };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { code: 137, stderr };
  });
  // Writes go to the hijacked connection; ending stdin half-closes it, which the process reads as EOF.
  const stdin = new PassThrough();
  stdin.pipe(stream);
  return { stdin, stdout, exited, kill: () => stream.destroy() };
}

/** `exec` on top of `startSwarmExec`: buffered output, optional stdin, a deadline. */
export async function runSwarmExec(
  docker: DockerClient,
  instance: string,
  service: ServiceName,
  argv: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const running = await startSwarmExec(docker, instance, service, argv);
  let stdout = '';
  running.stdout.on('data', (data: Buffer) => {
    if (stdout.length < maxOutput) stdout += data.toString();
  });
  const timer = setTimeout(() => running.kill(), options.timeoutMs ?? 60_000);
  running.stdin.end(options.stdin ?? '');
  try {
    const { code, stderr } = await running.exited;
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
