import { spawn } from 'node:child_process';
import type { ExecOptions, ExecResult, ExecStream } from '../types.ts';

const maxOutput = 4 * 1024 * 1024;

/** Runs an argument array (no shell), feeds `stdin`, collects output, kills it at the deadline. */
export function runCommand(
  command: string,
  args: string[],
  options: ExecOptions & { env: Record<string, string>; cwd: string },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      if (stdout.length < maxOutput) stdout += data.toString();
    });
    child.stderr.on('data', (data: Buffer) => {
      if (stderr.length < maxOutput) stderr += data.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + 9 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(options.stdin ?? '');
  });
}

const stderrKept = 64 * 1024;

/** Starts an argument array (no shell) with stdin and stdout as streams; keeps the tail of stderr. */
export function startCommand(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<ExecStream> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString()).slice(-stderrKept);
    });
    const exited = new Promise<{ code: number; stderr: string }>((settle) => {
      child.on('close', (code, signal) => settle({ code: code ?? (signal ? 128 + 9 : 1), stderr }));
    });
    child.once('error', reject);
    child.once('spawn', () => {
      child.stdin.on('error', () => {}); // the command may exit without reading its input
      resolve({ stdin: child.stdin, stdout: child.stdout, exited, kill: () => child.kill('SIGKILL') });
    });
  });
}
