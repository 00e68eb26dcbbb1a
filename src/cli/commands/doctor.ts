import path from 'node:path';
import type { Command } from 'commander';
import { runDoctor } from '../../doctor/index.ts';
import { commandContext, type GlobalOptions } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check this machine and configuration: one line per check, OK / WARN / FAIL, with the fix')
    .action(async (_options, command: Command) => {
      const { config, output } = commandContext(command.optsWithGlobals<GlobalOptions>());
      const checks = await runDoctor(config, {
        nodeVersion: process.version,
        searchPath: (process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
        dockerSocket: '/var/run/docker.sock',
      });
      output.result({ checks }, () =>
        checks
          .map((check) => {
            const label = check.status.toUpperCase().padEnd(4);
            return `${label}  ${check.name.padEnd(14)} ${check.detail}${check.fix ? `\n      ${''.padEnd(14)} fix: ${check.fix}` : ''}`;
          })
          .join('\n'),
      );
      if (checks.some((check) => check.status === 'fail')) process.exitCode = exitCodes.failure;
    });
}
