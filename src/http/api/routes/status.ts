import { z } from 'zod';
import { slaDocument, slaFormats, slaReport } from '../../../incidents/index.ts';
import {
  addComponent,
  type Component,
  cancelMaintenance,
  componentStatuses,
  configureStatusPage,
  getStatusPage,
  listMaintenances,
  type Maintenance,
  noUptime,
  scheduleMaintenance,
  setComponentStatus,
} from '../../../status/index.ts';
import { defineRoute } from '../route.ts';
import { documentBody, documentSchema } from './incidents.ts';
import { iso, timestamp } from './schemas.ts';

const slug = z.string().max(100);

const settingsSchema = z.object({
  instanceId: z.string(),
  slug: z.string(),
  name: z.string(),
  logoUrl: z.string().nullable(),
  slaTarget: z.number(),
});

const componentSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  position: z.number().int(),
  manualStatus: z.enum(componentStatuses).nullable(),
  monitorIds: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const maintenanceSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  title: z.string(),
  body: z.string(),
  state: z.enum(['scheduled', 'in_progress', 'completed', 'cancelled']),
  componentIds: z.array(z.string()),
  startsAt: timestamp,
  endsAt: timestamp,
  inBusinessHours: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const componentBody = (component: Component) => ({
  ...component,
  createdAt: iso(component.createdAt) as string,
  updatedAt: iso(component.updatedAt) as string,
});

const maintenanceBody = (maintenance: Maintenance) => ({
  ...maintenance,
  startsAt: iso(maintenance.startsAt) as string,
  endsAt: iso(maintenance.endsAt) as string,
  createdAt: iso(maintenance.createdAt) as string,
  updatedAt: iso(maintenance.updatedAt) as string,
});

export const statusRoutes = [
  defineRoute({
    id: 'status.pages.get',
    method: 'get',
    path: '/status-pages/{slug}',
    summary: "An instance's status page: customer name, logo, SLA target and components",
    tag: 'status',
    permission: 'status:read',
    input: z.object({ slug }).strict(),
    output: z.object({ settings: settingsSchema, components: z.array(componentSchema) }),
    run: async ({ deps, actor }, input) => {
      const page = await getStatusPage(deps, actor, input);
      return { settings: page.settings, components: page.components.map(componentBody) };
    },
  }),
  defineRoute({
    id: 'status.pages.configure',
    method: 'patch',
    path: '/status-pages/{slug}',
    summary: 'Set the customer name, the logo (https URL, null removes it) or the monthly SLA target',
    tag: 'status',
    permission: 'status:write',
    input: z
      .object({
        slug,
        name: z.string().max(200).optional(),
        logoUrl: z.string().max(2_000).nullable().optional(),
        slaTarget: z.number().optional(),
      })
      .strict(),
    output: settingsSchema,
    run: async ({ deps, actor }, input) => configureStatusPage(deps, actor, input),
  }),
  defineRoute({
    id: 'status.components.add',
    method: 'post',
    path: '/status-pages/{slug}/components',
    summary: 'Add a component (API, login, database, …) shown from the state of its monitors',
    tag: 'status',
    permission: 'status:write',
    status: 201,
    input: z
      .object({
        slug,
        name: z.string().max(100),
        description: z.string().max(500).optional(),
        monitors: z.array(z.string().max(100)).max(50).optional(),
      })
      .strict(),
    output: componentSchema,
    run: async ({ deps, actor }, input) => componentBody(await addComponent(deps, actor, input)),
  }),
  defineRoute({
    id: 'status.components.status',
    method: 'post',
    path: '/status-components/{id}/status',
    summary: "Set a component's status by hand (it wins over its monitors); null hands it back to them",
    tag: 'status',
    permission: 'status:write',
    input: z.object({ id: z.string().max(100), status: z.enum(componentStatuses).nullable() }).strict(),
    output: componentSchema,
    run: async ({ deps, actor }, input) => componentBody(await setComponentStatus(deps, actor, input)),
  }),
  defineRoute({
    id: 'maintenances.list',
    method: 'get',
    path: '/maintenances',
    summary: 'Maintenance windows, latest first, of one instance or all',
    tag: 'status',
    permission: 'status:read',
    input: z.object({ slug: slug.optional() }).strict(),
    output: z.object({ maintenances: z.array(maintenanceSchema) }),
    run: async ({ deps, actor }, input) => ({
      maintenances: (await listMaintenances(deps, actor, input.slug ? { slug: input.slug } : {})).map(
        maintenanceBody,
      ),
    }),
  }),
  defineRoute({
    id: 'maintenances.schedule',
    method: 'post',
    path: '/maintenances',
    summary:
      'Schedule a maintenance window; inside business hours (9:00–18:00 Paris, working days) it needs confirmBusinessHours',
    tag: 'status',
    permission: 'status:write',
    status: 201,
    input: z
      .object({
        slug,
        title: z.string().max(200),
        body: z.string().max(20_000).optional(),
        startsAt: timestamp,
        endsAt: timestamp,
        components: z.array(z.string().max(100)).max(100).optional(),
        confirmBusinessHours: z.boolean().optional(),
      })
      .strict(),
    output: maintenanceSchema,
    run: async ({ deps, actor }, input) => maintenanceBody(await scheduleMaintenance(deps, actor, input)),
  }),
  defineRoute({
    id: 'maintenances.cancel',
    method: 'post',
    path: '/maintenances/{id}/cancel',
    summary: 'Cancel a window that has not ended',
    tag: 'status',
    permission: 'status:write',
    input: z.object({ id: z.string().max(100) }).strict(),
    output: maintenanceSchema,
    run: async ({ deps, actor }, input) => maintenanceBody(await cancelMaintenance(deps, actor, input)),
  }),
  defineRoute({
    id: 'sla.report',
    method: 'get',
    path: '/sla/{slug}',
    summary:
      "An instance's monthly SLA: uptime from check roll-ups, maintenance excluded, against its target",
    tag: 'incidents',
    permission: 'incidents:read',
    input: z.object({ slug, month: z.string().max(7) }).strict(),
    output: z.object({
      slug: z.string(),
      customer: z.string(),
      month: z.string(),
      timeZone: z.string(),
      from: timestamp,
      to: timestamp,
      target: z.number(),
      periodSeconds: z.number(),
      excludedSeconds: z.number(),
      measuredSeconds: z.number(),
      downtimeSeconds: z.number(),
      allowedDowntimeSeconds: z.number(),
      uptime: z.number().nullable(),
      coverage: z.number(),
      met: z.boolean().nullable(),
      partial: z.boolean(),
      monitors: z.array(z.string()),
      maintenances: z.array(
        z.object({ id: z.string(), title: z.string(), start: timestamp, end: timestamp }),
      ),
    }),
    run: async ({ deps, actor }, input) => {
      const report = await slaReport(
        {
          store: deps.store,
          clock: deps.clock,
          uptime: deps.uptime ?? noUptime,
          timeZone: deps.config.timeZone,
        },
        actor,
        input,
      );
      return {
        ...report,
        from: iso(report.from) as string,
        to: iso(report.to) as string,
        maintenances: report.maintenances.map((entry) => ({
          ...entry,
          start: iso(entry.start) as string,
          end: iso(entry.end) as string,
        })),
      };
    },
  }),
  defineRoute({
    id: 'sla.document',
    method: 'get',
    path: '/sla/{slug}/document',
    summary: "An instance's monthly SLA report as CSV, HTML or PDF (base64)",
    tag: 'incidents',
    permission: 'incidents:read',
    input: z.object({ slug, month: z.string().max(7), format: z.enum(slaFormats) }).strict(),
    output: documentSchema,
    run: async ({ deps, actor }, input) =>
      documentBody(
        await slaDocument(
          {
            store: deps.store,
            clock: deps.clock,
            uptime: deps.uptime ?? noUptime,
            timeZone: deps.config.timeZone,
            printer: deps.printer,
          },
          actor,
          input,
        ),
      ),
  }),
];
