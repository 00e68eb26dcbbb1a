import type { AuditLog } from '../../audit/types.ts';
import type { Jobs } from '../../jobs/index.ts';
import type { Mailer } from '../../notify/index.ts';
import type { Logger } from '../../observability/index.ts';
import { computeWeeklyReport } from './compute-report.ts';
import type { ReportDeps } from './get-weekly-report.ts';
import { reportHtml, reportText } from './render-report.ts';
import { weekBefore } from './week.ts';

export const weeklyReportQueue = 'monitoring.weekly-report';
/** Monday 08:00 in the configured zone (Europe/Paris by default), whatever the DST offset. */
export const weeklyReportCron = '0 8 * * 1';

export interface WeeklyMailDeps extends ReportDeps {
  mailer: Mailer | undefined;
  audit: AuditLog;
  logger?: Logger | undefined;
  /** `monitoring.reportRecipients`: addresses that get every instance's report. */
  recipients: readonly string[];
}

/** Who gets an instance's report: the configured list and every active account manager. */
async function recipientsOf(deps: WeeklyMailDeps): Promise<string[]> {
  const managers = await deps.store.db
    .selectFrom('users')
    .select('email')
    .where('role', '=', 'account-manager')
    .where('disabled_at', 'is', null)
    .execute();
  return [...new Set([...deps.recipients, ...managers.map((row) => row.email)])].sort();
}

/**
 * Mails the week before `at` to each live instance's recipients, once per instance and week (a retried
 * job skips what it already sent). Returns what it did.
 */
export async function sendWeeklyReports(
  deps: WeeklyMailDeps,
  at: number,
): Promise<{ week: string; sent: number; skipped: number; reason?: string }> {
  const week = weekBefore(at, deps.timeZone);
  const { mailer } = deps;
  if (!mailer) return { week: week.label, sent: 0, skipped: 0, reason: 'no SMTP server configured' };
  const recipients = await recipientsOf(deps);
  if (recipients.length === 0)
    return {
      week: week.label,
      sent: 0,
      skipped: 0,
      reason: 'no recipients (monitoring.reportRecipients, account managers)',
    };
  const instances = await deps.store.db
    .selectFrom('instances')
    .select(['id', 'slug', 'customer'])
    .where('state', 'not in', ['decommissioning', 'decommissioned'])
    .where('created_at', '<', week.to)
    .orderBy('slug')
    .execute();
  let sent = 0;
  let skipped = 0;
  for (const instance of instances) {
    const done = await deps.store.db
      .selectFrom('monitoring_reports')
      .select('sent_at')
      .where('instance_id', '=', instance.id)
      .where('week', '=', week.label)
      .executeTakeFirst();
    if (done) {
      skipped++;
      continue;
    }
    const report = await computeWeeklyReport(deps, instance, week, deps.timeZone);
    await mailer.send({
      to: recipients,
      subject: `Weekly report ${week.label}: ${instance.slug} (${instance.customer})`,
      text: reportText(report),
      html: reportHtml(report),
    });
    await deps.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('monitoring_reports')
        .values({
          instance_id: instance.id,
          week: week.label,
          recipients: JSON.stringify(recipients),
          sent_at: deps.clock.now().getTime(),
        })
        .execute();
      await deps.audit.append(
        {
          actor: { id: 'monitoring', label: 'weekly report' },
          action: 'monitoring.report.send',
          target: instance.id,
          result: 'ok',
          details: { week: week.label, recipients: recipients.length },
        },
        { db: trx },
      );
    });
    sent++;
  }
  deps.logger?.info({ week: week.label, sent, skipped }, 'weekly reports sent');
  return { week: week.label, sent, skipped };
}

/** The durable Monday-morning schedule and its worker. */
export async function registerWeeklyReportJobs(deps: WeeklyMailDeps & { jobs: Jobs }): Promise<void> {
  await deps.jobs.schedule({
    name: 'monitoring:weekly-report',
    cron: weeklyReportCron,
    queue: weeklyReportQueue,
    timeZone: deps.timeZone,
  });
  deps.jobs.work(weeklyReportQueue, (job) => sendWeeklyReports(deps, job.runAt.getTime()));
}
