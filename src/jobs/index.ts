export { type BackoffPolicy, retryDelayMs } from './backoff.ts';
export { createJobs } from './create-jobs.ts';
export { parseCron } from './cron.ts';
export { type DeadWork, deadJobReason, endDeadWork } from './dead.ts';
export { jobStates } from './queue.ts';
export type {
  DeadJobHandler,
  EnqueueInput,
  EnqueueOptions,
  JobContext,
  JobHandler,
  JobObserver,
  JobOutcome,
  JobRecord,
  JobState,
  Jobs,
  JobsDependencies,
  JobsOptions,
  ScheduleInput,
  TickReport,
  WorkOptions,
} from './types.ts';
