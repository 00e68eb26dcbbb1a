import type { Command } from 'commander';
import { redactConfig } from '../../config/index.ts';
import { commandContext, type GlobalOptions } from '../context.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('print')
    .description('show the effective configuration (defaults < file < environment < flags), secrets redacted')
    .action((_options, command: Command) => {
      const { loaded, output } = commandContext(command.optsWithGlobals<GlobalOptions>());
      const effective = redactConfig(loaded.config);
      output.result(
        { config: effective, sources: loaded.sources, configFile: loaded.configFile ?? null },
        () => {
          const lines = [`# configuration file: ${loaded.configFile ?? 'none'}`];
          for (const [key, value] of flattenForPrint(effective)) {
            lines.push(
              `${key} = ${JSON.stringify(value)}${loaded.sources[key] ? `  # ${loaded.sources[key]}` : ''}`,
            );
          }
          return lines.join('\n');
        },
      );
    });
}

function* flattenForPrint(value: Record<string, unknown>, prefix = ''): Generator<[string, unknown]> {
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    const dotted = prefix ? `${prefix}.${key}` : key;
    const isListen = typeof inner === 'object' && inner !== null && 'host' in inner && 'port' in inner;
    if (isListen) yield [dotted, `${(inner as { host: string }).host}:${(inner as { port: number }).port}`];
    else if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      yield* flattenForPrint(inner as Record<string, unknown>, dotted);
    } else yield [dotted, inner];
  }
}
