import type { Command } from 'commander';
import { openRoost } from '../../main.ts';
import { commandContext, type GlobalOptions } from '../context.ts';

export function registerVault(program: Command): void {
  const vault = program.command('vault').description('the encrypted secret store');
  vault
    .command('rotate')
    .description(
      're-wrap every data key under the current master key; safe while roost serve runs (key file: a new key is made; environment: set ROOST_MASTER_KEY to the new key and ROOST_MASTER_KEY_PREVIOUS to the old one)',
    )
    .action(async (_options, command: Command) => {
      const { config, logger, output } = commandContext(command.optsWithGlobals<GlobalOptions>());
      const roost = await openRoost(config, logger, { migrate: false });
      try {
        const started = Date.now();
        const report = await roost.vault.rotate((done, total) => {
          if (!output.json) process.stderr.write(`\rre-wrapping data keys ${done}/${total}`);
        });
        if (!output.json) process.stderr.write('\n');
        logger.info({ ...report, durationMs: Date.now() - started }, 'vault rotated');
        output.result(
          report,
          () => `master key is now ${report.masterKeyId}; ${report.rewrapped} data key(s) re-wrapped`,
        );
      } finally {
        await roost.close();
      }
    });
}
