import type { Command } from 'commander';
import { RoostError } from '../../core/errors.ts';
import { type JobState, jobStates } from '../../jobs/index.ts';
import { openRoost } from '../../main.ts';
import { commandContext, type GlobalOptions } from '../context.ts';
import { table } from '../output.ts';

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('durable background jobs');
  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--state <state>', `only jobs in this state (${jobStates.join(', ')})`)
    .option('--queue <queue>', 'only jobs of this queue')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: { state?: string; queue?: string; limit: string }, command: Command) => {
      const { config, logger, output } = commandContext(command.optsWithGlobals<GlobalOptions>());
      if (options.state !== undefined && !jobStates.includes(options.state as JobState)) {
        throw new RoostError(
          'invalid_input',
          `--state: expected one of ${jobStates.join(', ')}; got "${options.state}"`,
        );
      }
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new RoostError('invalid_input', `--limit: expected a positive integer; got "${options.limit}"`);
      const roost = await openRoost(config, logger, { migrate: false });
      try {
        const filter: { state?: JobState; queue?: string; limit: number } = { limit };
        if (options.state) filter.state = options.state as JobState;
        if (options.queue) filter.queue = options.queue;
        const list = await roost.jobs.list(filter);
        output.result({ jobs: list }, () =>
          list.length === 0
            ? 'no jobs'
            : table([
                ['ID', 'QUEUE', 'STATE', 'ATTEMPTS', 'RUN AT', 'LAST ERROR'],
                ...list.map((job) => [
                  job.id,
                  job.queue,
                  job.state,
                  `${job.attempts}/${job.maxAttempts}`,
                  new Date(job.runAt).toISOString(),
                  job.lastError ?? '',
                ]),
              ]),
        );
      } finally {
        await roost.close();
      }
    });
  jobs
    .command('retry <id>')
    .description('put a dead job back in its queue (a migration that failed after its name switch resumes)')
    .action(async (id: string, _options, command: Command) => {
      const { config, logger, output } = commandContext(command.optsWithGlobals<GlobalOptions>());
      const roost = await openRoost(config, logger, { migrate: false });
      try {
        await roost.jobs.retry(id);
        output.result({ id, state: 'queued' }, () => `job ${id} queued again`);
      } finally {
        await roost.close();
      }
    });
}
