import { z } from 'zod';
import { getWeeklyReport, reportText } from '../../../monitoring/reports/index.ts';
import { defineRoute } from '../route.ts';

const figures = z.object({
  checks: z.number(),
  failures: z.number(),
  uptime: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
});

export const reportRoutes = [
  defineRoute({
    id: 'reports.weekly',
    method: 'get',
    path: '/instances/{slug}/reports/weekly',
    summary:
      "An instance's weekly report (uptime, incidents, p50/p95, slowest checks, trend); `week` is an ISO week such as 2026-W47, default the last complete week",
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({ slug: z.string(), week: z.string().optional() }).strict(),
    output: z.object({
      report: z.object({
        instance: z.object({ id: z.string(), slug: z.string(), customer: z.string() }),
        week: z.string(),
        from: z.number(),
        to: z.number(),
        timeZone: z.string(),
        current: figures,
        previous: figures.extend({ week: z.string() }),
        incidents: z.array(z.object({ title: z.string(), severity: z.string(), startedAt: z.number() })),
        slowest: z.array(z.object({ monitor: z.string(), hour: z.number(), latencyMaxMs: z.number() })),
        monitors: z.array(
          z.object({ name: z.string(), uptime: z.number().nullable(), p95Ms: z.number().nullable() }),
        ),
        days: z.array(
          z.object({ day: z.number(), uptime: z.number().nullable(), p95Ms: z.number().nullable() }),
        ),
      }),
      text: z.string(),
    }),
    run: async ({ deps, actor }, input) => {
      const report = await getWeeklyReport(
        {
          store: deps.store,
          clock: deps.clock,
          timeZone: deps.config.timeZone,
          incidents: deps.incidentSummaries,
        },
        actor,
        input,
      );
      return { report, text: reportText(report) };
    },
  }),
];
