import { CommanderError } from 'commander';
import { isRoostError } from '../core/errors.ts';
import { version } from '../version.ts';
import { exitCodeOf, exitCodes } from './exit-codes.ts';
import { createProgram } from './program.ts';

/** Runs the CLI; every failure ends as one line on standard error and a documented exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram(version);
  program.exitOverride();
  program.commands.forEach(function override(command) {
    command.exitOverride();
    command.commands.forEach(override);
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and version are not failures.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (isRoostError(error)) {
      process.stderr.write(`roost: ${error.message}\n`);
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
      return exitCodeOf[error.code];
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `roost: unexpected error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodes.failure;
  }
}

if (import.meta.main) {
  process.exitCode = await run(process.argv);
}
