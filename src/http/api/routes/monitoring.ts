import { z } from 'zod';
import { routeAt } from '../../../core/business-hours.ts';
import {
  actOnAlert,
  createMonitor,
  createSilence,
  deleteMonitor,
  expireSilence,
  getAlert,
  getMonitor,
  getUptime,
  ingestAlertmanager,
  listAlerts,
  listMonitors,
  listSilences,
  monitorKinds,
  updateMonitor,
} from '../../../monitoring/index.ts';
import {
  addOverride,
  createSchedule,
  createWebhookChannel,
  deleteChannel,
  getEscalationPolicy,
  listChannels,
  listDeliveries,
  listSchedules,
  setEscalationPolicy,
  whoIsOnCall,
} from '../../../notify/index.ts';
import { defineRoute } from '../route.ts';
import { idSchema, okSchema } from './schemas.ts';

/** Dates become ISO 8601 strings, the API's time format; everything else is already plain data. */
export function plain<T>(value: T): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
  return value;
}

const monitorSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(monitorKinds),
  instanceId: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  intervalSeconds: z.number(),
  state: z.enum(['unknown', 'up', 'down']),
  lastMessage: z.string().nullable(),
  lastCheckedAt: z.string().nullable(),
});
const alertSchema = z.looseObject({
  id: z.string(),
  fingerprint: z.string(),
  state: z.enum(['pending', 'firing', 'resolved']),
  severity: z.string(),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
  route: z.string().nullable(),
  level: z.number(),
  suppressedBy: z.string().nullable(),
});
const silenceSchema = z.looseObject({
  id: z.string(),
  matchers: z.array(z.unknown()),
  author: z.string(),
  endsAt: z.string(),
});
const scheduleSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  layers: z.array(z.unknown()),
});
const shiftSchema = z
  .object({ user: z.string(), layer: z.string(), start: z.number(), end: z.number() })
  .nullable();
const policySchema = z.object({
  id: z.string(),
  name: z.string(),
  support: z.array(z.string()),
  levels: z.array(z.object({ scheduleId: z.string(), timeoutMinutes: z.number() })),
});
const json = z.unknown();
const obj = z.record(z.string(), z.unknown());

export const monitoringRoutes = [
  defineRoute({
    id: 'monitors.list',
    method: 'get',
    path: '/monitors',
    summary: 'List monitors with their current state',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z
      .object({
        instanceId: z.string().max(100).optional(),
        kind: z.string().max(20).optional(),
        state: z.string().max(20).optional(),
      })
      .strict(),
    output: z.object({ monitors: z.array(monitorSchema) }),
    run: async ({ deps, actor }, input) => ({
      monitors: plain(
        await listMonitors(deps, actor, input as Parameters<typeof listMonitors>[2]),
      ) as z.input<typeof monitorSchema>[],
    }),
  }),
  defineRoute({
    id: 'monitors.create',
    method: 'post',
    path: '/monitors',
    summary:
      'Create a monitor (http, tcp, heartbeat, app_status, host); a heartbeat answers its push token once',
    tag: 'monitoring',
    permission: 'monitoring:write',
    status: 201,
    input: z
      .object({
        name: z.string().max(200),
        kind: z.string().max(20).describe(monitorKinds.join(' | ')),
        settings: obj.optional(),
        instanceId: z.string().max(100).nullable().optional(),
        intervalSeconds: z.number().int().optional(),
        timeoutMs: z.number().int().optional(),
        retries: z.number().int().optional(),
        severity: z.string().max(20).optional(),
        forSeconds: z.number().int().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        enabled: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ monitor: monitorSchema, pushToken: z.string().optional() }),
    run: async ({ deps, actor }, input) =>
      plain(await createMonitor(deps, actor, input as Parameters<typeof createMonitor>[2])) as {
        monitor: z.input<typeof monitorSchema>;
      },
  }),
  defineRoute({
    id: 'monitors.get',
    method: 'get',
    path: '/monitors/{id}',
    summary: 'A monitor',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ monitor: monitorSchema }),
    run: async ({ deps, actor }, input) => ({
      monitor: plain(await getMonitor(deps, actor, input)) as z.input<typeof monitorSchema>,
    }),
  }),
  defineRoute({
    id: 'monitors.update',
    method: 'patch',
    path: '/monitors/{id}',
    summary: "Change a monitor's definition (not its kind); the whole definition is validated again",
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.looseObject({ id: idSchema }),
    output: z.object({ monitor: monitorSchema }),
    run: async ({ deps, actor }, { id, ...changes }) => ({
      monitor: plain(await updateMonitor(deps, actor, { id, changes: changes as never })) as z.input<
        typeof monitorSchema
      >,
    }),
  }),
  defineRoute({
    id: 'monitors.delete',
    method: 'delete',
    path: '/monitors/{id}',
    summary: 'Delete a monitor with its results; its alerts are resolved and kept',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.object({ id: idSchema }).strict(),
    output: okSchema,
    run: async ({ deps, actor }, input) => {
      await deleteMonitor(deps, actor, input);
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'monitors.uptime',
    method: 'get',
    path: '/monitors/{id}/uptime',
    summary: 'Uptime and latency per minute, hour or day from the roll-ups (from/to in epoch ms)',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z
      .object({
        id: idSchema,
        from: z.coerce.number().int().min(0),
        to: z.coerce.number().int().min(0),
        granularity: z.enum(['minute', 'hour', 'day']).optional(),
      })
      .strict(),
    output: z.object({ uptime: json }),
    run: async ({ deps, actor }, { id, from, to, granularity }) => {
      const [uptime] = await getUptime(deps, actor, {
        monitorIds: [id],
        from,
        to,
        ...(granularity ? { granularity } : {}),
      });
      return { uptime };
    },
  }),
  defineRoute({
    id: 'alerts.list',
    method: 'get',
    path: '/alerts',
    summary: 'Alerts, newest first (state: pending | firing | resolved | open)',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z
      .object({ state: z.string().max(20).optional(), instanceId: z.string().max(100).optional() })
      .strict(),
    output: z.object({ alerts: z.array(alertSchema) }),
    run: async ({ deps, actor }, input) => ({
      alerts: plain(await listAlerts(deps, actor, input as Parameters<typeof listAlerts>[2])) as z.input<
        typeof alertSchema
      >[],
    }),
  }),
  defineRoute({
    id: 'alerts.get',
    method: 'get',
    path: '/alerts/{id}',
    summary: 'An alert with its delivery log',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ alert: alertSchema, deliveries: z.array(json) }),
    run: async ({ deps, actor }, input) => ({
      alert: plain(await getAlert(deps, actor, input)) as z.input<typeof alertSchema>,
      deliveries: plain(await listDeliveries(deps, actor, { alertId: input.id })) as unknown[],
    }),
  }),
  defineRoute({
    id: 'alerts.acknowledge',
    method: 'post',
    path: '/alerts/{id}/acknowledge',
    summary: 'Acknowledge an alert: escalation stops',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ alert: alertSchema }),
    run: async ({ deps, actor }, { id }) => ({
      alert: plain(await actOnAlert(deps, actor, { id, action: 'acknowledge' })) as z.input<
        typeof alertSchema
      >,
    }),
  }),
  defineRoute({
    id: 'alerts.resolve',
    method: 'post',
    path: '/alerts/{id}/resolve',
    summary: 'Resolve an alert by hand',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.object({ id: idSchema }).strict(),
    output: z.object({ alert: alertSchema }),
    run: async ({ deps, actor }, { id }) => ({
      alert: plain(await actOnAlert(deps, actor, { id, action: 'resolve' })) as z.input<typeof alertSchema>,
    }),
  }),
  defineRoute({
    id: 'alerts.alertmanager',
    method: 'post',
    path: '/alertmanager/webhook',
    summary:
      'Alertmanager-compatible receiver (webhook_configs with a bearer token): its alerts join Roost alerting; label roost_instance groups them',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.looseObject({ status: z.string().max(20), alerts: z.array(obj).max(1000) }),
    output: z.object({ received: z.number() }),
    run: async ({ deps, actor }, input) =>
      ingestAlertmanager(
        {
          ...deps,
          listeners: deps.alertListeners ?? [],
          ...(deps.alertMaintenance ? { maintenance: deps.alertMaintenance } : {}),
        },
        actor,
        input,
      ),
  }),
  defineRoute({
    id: 'silences.list',
    method: 'get',
    path: '/silences',
    summary: 'Silences, newest first (active=true: only those in force)',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({ active: z.enum(['true', 'false']).optional() }).strict(),
    output: z.object({ silences: z.array(silenceSchema) }),
    run: async ({ deps, actor }, input) => ({
      silences: plain(await listSilences(deps, actor, { active: input.active === 'true' })) as z.input<
        typeof silenceSchema
      >[],
    }),
  }),
  defineRoute({
    id: 'silences.create',
    method: 'post',
    path: '/silences',
    summary: 'Silence alerts whose labels match every matcher, for a duration; the author is the caller',
    tag: 'monitoring',
    permission: 'monitoring:write',
    status: 201,
    input: z
      .object({
        matchers: z
          .array(
            z.object({
              label: z.string().max(63),
              value: z.string().max(500),
              regex: z.boolean().optional(),
            }),
          )
          .max(20),
        comment: z.string().max(1000),
        startsAt: z.number().int().optional(),
        durationMinutes: z.number().int(),
      })
      .strict(),
    output: z.object({ silence: silenceSchema }),
    run: async ({ deps, actor }, input) => ({
      silence: plain(await createSilence(deps, actor, input)) as z.input<typeof silenceSchema>,
    }),
  }),
  defineRoute({
    id: 'silences.expire',
    method: 'delete',
    path: '/silences/{id}',
    summary: 'End a silence now',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.object({ id: idSchema }).strict(),
    output: okSchema,
    run: async ({ deps, actor }, input) => {
      await expireSilence(deps, actor, input);
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'oncall.now',
    method: 'get',
    path: '/oncall/now',
    summary: 'Who is on call now in each schedule, and where alerts go now (support or on-call)',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({}).strict(),
    output: z.object({
      route: z.enum(['support', 'oncall']),
      schedules: z.array(
        z.object({ schedule: z.object({ id: z.string(), name: z.string() }), shift: shiftSchema }),
      ),
    }),
    run: async ({ deps, actor }) => ({
      route: routeAt(deps.clock.now()),
      schedules: await whoIsOnCall(deps, actor),
    }),
  }),
  defineRoute({
    id: 'oncall.schedules.list',
    method: 'get',
    path: '/oncall/schedules',
    summary: 'On-call schedules with their rotation layers and overrides',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({}).strict(),
    output: z.object({ schedules: z.array(scheduleSchema) }),
    run: async ({ deps, actor }) => ({
      schedules: plain(await listSchedules(deps, actor)) as z.input<typeof scheduleSchema>[],
    }),
  }),
  defineRoute({
    id: 'oncall.schedules.create',
    method: 'post',
    path: '/oncall/schedules',
    summary:
      'Create a schedule: layers of people rotating every day, week or N hours from a local hand-off time',
    tag: 'monitoring',
    permission: 'monitoring:write',
    status: 201,
    input: z
      .object({
        name: z.string().max(100),
        timeZone: z.string().max(100).optional(),
        layers: z.array(obj).max(10),
      })
      .strict(),
    output: z.object({ schedule: scheduleSchema }),
    run: async ({ deps, actor }, input) => ({
      schedule: plain(
        await createSchedule(deps, actor, input as Parameters<typeof createSchedule>[2]),
      ) as z.input<typeof scheduleSchema>,
    }),
  }),
  defineRoute({
    id: 'oncall.schedules.override',
    method: 'post',
    path: '/oncall/schedules/{id}/overrides',
    summary: 'Someone covers a slot (from/until in epoch ms): overrides win over every layer',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z
      .object({ id: idSchema, user: z.string().max(320), from: z.number().int(), until: z.number().int() })
      .strict(),
    output: z.object({ schedule: scheduleSchema }),
    run: async ({ deps, actor }, { id, ...rest }) => ({
      schedule: plain(await addOverride(deps, actor, { scheduleId: id, ...rest })) as z.input<
        typeof scheduleSchema
      >,
    }),
  }),
  defineRoute({
    id: 'oncall.escalation.get',
    method: 'get',
    path: '/oncall/escalation',
    summary: 'The escalation policy: support by day, levels 1-3 with timeouts by night and on weekends',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({}).strict(),
    output: z.object({ policy: policySchema.nullable() }),
    run: async ({ deps, actor }) => ({ policy: await getEscalationPolicy(deps, actor) }),
  }),
  defineRoute({
    id: 'oncall.escalation.set',
    method: 'put',
    path: '/oncall/escalation',
    summary: 'Set the escalation policy (support emails; up to 3 levels of schedule + timeout)',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z
      .object({
        name: z.string().max(100).optional(),
        support: z.array(z.string().max(320)).max(50),
        levels: z
          .array(z.object({ scheduleId: z.string().max(100), timeoutMinutes: z.number().int().optional() }))
          .max(3),
      })
      .strict(),
    output: z.object({ policy: policySchema }),
    run: async ({ deps, actor }, input) => ({ policy: await setEscalationPolicy(deps, actor, input) }),
  }),
  defineRoute({
    id: 'notify.channels.list',
    method: 'get',
    path: '/notification-channels',
    summary: 'Webhook channels every alert notification also goes to (hosts only: URLs may hold secrets)',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({}).strict(),
    output: z.object({ channels: z.array(json) }),
    run: async ({ deps, actor }) => ({ channels: plain(await listChannels(deps, actor)) as unknown[] }),
  }),
  defineRoute({
    id: 'notify.channels.create',
    method: 'post',
    path: '/notification-channels',
    summary: 'Add a JSON webhook (slack: true sends a Slack-compatible { text })',
    tag: 'monitoring',
    permission: 'monitoring:write',
    status: 201,
    input: z
      .object({ name: z.string().max(100), url: z.string().max(2000), slack: z.boolean().optional() })
      .strict(),
    output: z.object({ channel: z.object({ id: z.string(), name: z.string(), slack: z.boolean() }) }),
    run: async ({ deps, actor }, input) => {
      const channel = await createWebhookChannel(deps, actor, input);
      return { channel: { id: channel.id, name: channel.name, slack: channel.slack } };
    },
  }),
  defineRoute({
    id: 'notify.channels.delete',
    method: 'delete',
    path: '/notification-channels/{id}',
    summary: 'Remove a webhook channel',
    tag: 'monitoring',
    permission: 'monitoring:write',
    input: z.object({ id: idSchema }).strict(),
    output: okSchema,
    run: async ({ deps, actor }, input) => {
      await deleteChannel(deps, actor, input);
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'notify.deliveries.list',
    method: 'get',
    path: '/notifications',
    summary: 'The delivery log: every notification, recipient, attempts and last error',
    tag: 'monitoring',
    permission: 'monitoring:read',
    input: z.object({ alertId: z.string().max(100).optional() }).strict(),
    output: z.object({ deliveries: z.array(json) }),
    run: async ({ deps, actor }, input) => ({
      deliveries: plain(
        await listDeliveries(deps, actor, input.alertId ? { alertId: input.alertId } : {}),
      ) as unknown[],
    }),
  }),
];
