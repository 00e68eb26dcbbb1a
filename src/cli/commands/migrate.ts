import type { Command } from 'commander';
import { loadMigrations, migrate, openStore } from '../../store/index.ts';
import { commandContext, type GlobalOptions } from '../context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (serve does this at start, under the same lock)')
    .action(async (_options, command: Command) => {
      const { config, output } = commandContext(command.optsWithGlobals<GlobalOptions>());
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const report = await migrate(store.db, store.dialect, await loadMigrations());
        output.result({ store: store.dialect, location: store.location, ...report }, () =>
          report.applied.length === 0
            ? `database is up to date (migration ${report.current}) at ${store.location}`
            : `applied ${report.applied.map((migration) => migration.name).join(', ')} to ${store.location}`,
        );
      } finally {
        await store.close();
      }
    });
}
