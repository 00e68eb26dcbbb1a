import { z } from 'zod';
import {
  appendTimelineEntry,
  createIncident,
  createIncidentFromAlert,
  documentFormats,
  draftCustomerNotice,
  getIncident,
  type Incident,
  incidentStatuses,
  listIncidents,
  manualStatusSchema,
  postmortemDocument,
  publishPostmortem,
  type RenderedDocument,
  sendCustomerNotice,
  severities,
  type TimelineEntry,
  timelineKinds,
  updateIncident,
} from '../../../incidents/index.ts';
import { defineRoute } from '../route.ts';
import { iso, timestamp } from './schemas.ts';

const id = z.string().max(100);
const markdown = z.string().max(20_000);
const names = z.array(z.string().max(100)).max(500);

const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: z.enum(severities),
  status: z.enum(incidentStatuses),
  whatIsGoingOn: z.string(),
  howWeUnderstood: z.string(),
  whatWeDid: z.string(),
  impacts: z.string(),
  howToAvoid: z.string(),
  postmortem: z.string().nullable(),
  postmortemPublishedAt: timestamp.nullable(),
  createdBy: z.string(),
  startedAt: timestamp,
  resolvedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const timelineEntrySchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  at: timestamp,
  kind: z.enum(timelineKinds),
  source: z.string(),
  body: z.string(),
  status: z.enum(incidentStatuses).nullable(),
  public: z.boolean(),
});

const logbook = {
  whatIsGoingOn: markdown.optional(),
  howWeUnderstood: markdown.optional(),
  whatWeDid: markdown.optional(),
  impacts: markdown.optional(),
  howToAvoid: markdown.optional(),
};

export function incidentBody(incident: Incident) {
  return {
    ...incident,
    startedAt: iso(incident.startedAt) as string,
    postmortemPublishedAt: iso(incident.postmortemPublishedAt),
    resolvedAt: iso(incident.resolvedAt),
    createdAt: iso(incident.createdAt) as string,
    updatedAt: iso(incident.updatedAt) as string,
  };
}

function entryBody(entry: TimelineEntry) {
  return { ...entry, at: iso(entry.at) as string };
}

/** A file in JSON: text as it is, binary (PDF) in base64. */
export const documentSchema = z.object({
  filename: z.string(),
  contentType: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
});

export function documentBody(document: RenderedDocument) {
  const text = !document.contentType.startsWith('application/pdf');
  return {
    filename: document.filename,
    contentType: document.contentType,
    encoding: text ? ('utf8' as const) : ('base64' as const),
    content: document.content.toString(text ? 'utf8' : 'base64'),
  };
}

const pageUrlOf = (domain: string) => (slug: string) => `https://${slug}.status.${domain}`;

export const incidentRoutes = [
  defineRoute({
    id: 'incidents.list',
    method: 'get',
    path: '/incidents',
    summary: 'The incident logbook, newest first: search words, filter by status, open ones or instance',
    tag: 'incidents',
    permission: 'incidents:read',
    input: z
      .object({
        query: z.string().max(200).optional(),
        status: z.enum(incidentStatuses).optional(),
        open: z.enum(['true', 'false']).optional(),
        instance: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(1_000).optional(),
      })
      .strict(),
    output: z.object({ incidents: z.array(incidentSchema) }),
    run: async ({ deps, actor }, { open, ...input }) => ({
      incidents: (
        await listIncidents(deps, actor, {
          ...Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)),
          ...(open ? { open: open === 'true' } : {}),
        })
      ).map(incidentBody),
    }),
  }),
  defineRoute({
    id: 'incidents.create',
    method: 'post',
    path: '/incidents',
    summary: 'Open an incident in the logbook; `message` posts a first public update to the status pages',
    tag: 'incidents',
    permission: 'incidents:write',
    status: 201,
    input: z
      .object({
        title: z.string().max(200),
        severity: z.enum(severities).optional(),
        status: manualStatusSchema.optional(),
        ...logbook,
        instances: names.optional(),
        components: names.optional(),
        message: markdown.optional(),
        startedAt: timestamp.optional(),
      })
      .strict(),
    output: incidentSchema,
    run: async ({ deps, actor }, input) => incidentBody(await createIncident(deps, actor, input)),
  }),
  defineRoute({
    id: 'incidents.get',
    method: 'get',
    path: '/incidents/{id}',
    summary: 'One incident with its instances, components and whole timeline',
    tag: 'incidents',
    permission: 'incidents:read',
    input: z.object({ id }).strict(),
    output: z.object({
      incident: incidentSchema,
      instances: z.array(z.object({ id: z.string(), slug: z.string(), customer: z.string() })),
      components: z.array(z.object({ id: z.string(), name: z.string(), instanceId: z.string() })),
      timeline: z.array(timelineEntrySchema),
    }),
    run: async ({ deps, actor }, input) => {
      const details = await getIncident(deps, actor, input);
      return {
        ...details,
        incident: incidentBody(details.incident),
        timeline: details.timeline.map(entryBody),
      };
    },
  }),
  defineRoute({
    id: 'incidents.update',
    method: 'patch',
    path: '/incidents/{id}',
    summary: 'Edit the logbook fields, title, severity, post-mortem, or the instances and components touched',
    tag: 'incidents',
    permission: 'incidents:write',
    input: z
      .object({
        id,
        title: z.string().max(200).optional(),
        severity: z.enum(severities).optional(),
        ...logbook,
        postmortem: z.string().max(100_000).optional(),
        instances: names.optional(),
        components: names.optional(),
      })
      .strict(),
    output: incidentSchema,
    run: async ({ deps, actor }, input) => incidentBody(await updateIncident(deps, actor, input)),
  }),
  defineRoute({
    id: 'incidents.timeline.append',
    method: 'post',
    path: '/incidents/{id}/timeline',
    summary:
      'Add a timeline entry: a note, or with `public` an update for the status pages; `status` moves the incident (not to `postmortem`: publishing the post-mortem does)',
    tag: 'incidents',
    permission: 'incidents:write',
    status: 201,
    input: z
      .object({
        id,
        body: markdown,
        kind: z.enum(timelineKinds).optional(),
        public: z.boolean().optional(),
        status: manualStatusSchema.optional(),
        source: z.string().max(100).optional(),
        at: timestamp.optional(),
      })
      .strict(),
    output: timelineEntrySchema,
    run: async ({ deps, actor }, { id: incidentId, ...input }) =>
      entryBody(await appendTimelineEntry(deps, actor, { incidentId, ...input })),
  }),
  defineRoute({
    id: 'incidents.postmortem.publish',
    method: 'post',
    path: '/incidents/{id}/postmortem/publish',
    summary:
      'Publish the reviewed post-mortem of a resolved incident on its status pages and to subscribers, once: an already published one is a conflict',
    tag: 'incidents',
    permission: 'incidents:write',
    input: z.object({ id }).strict(),
    output: incidentSchema,
    run: async ({ deps, actor }, input) => incidentBody(await publishPostmortem(deps, actor, input)),
  }),
  defineRoute({
    id: 'incidents.fromAlert',
    method: 'post',
    path: '/alerts/{id}/incident',
    summary:
      'Open an incident from an alert: title, severity, instance and components from the alert; an open incident already opened from it is returned',
    tag: 'incidents',
    permission: 'incidents:write',
    input: z.object({ id }).strict(),
    output: z.object({ incident: incidentSchema, created: z.boolean() }),
    run: async ({ deps, actor }, input) => {
      const { incident, created } = await createIncidentFromAlert(deps, actor, { alertId: input.id });
      return { incident: incidentBody(incident), created };
    },
  }),
  defineRoute({
    id: 'incidents.customerNotice.draft',
    method: 'get',
    path: '/incidents/{id}/customer-notice',
    summary: 'The drafted customer notice per affected instance (issue, impacts, estimated resolution)',
    tag: 'incidents',
    permission: 'incidents:read',
    input: z.object({ id, estimatedResolution: z.string().max(300).optional() }).strict(),
    output: z.object({
      drafts: z.array(
        z.object({ slug: z.string(), customer: z.string(), subject: z.string(), body: z.string() }),
      ),
    }),
    run: async ({ deps, actor }, input) => {
      const details = await getIncident(deps, actor, { id: input.id });
      const pageUrl = pageUrlOf(deps.config.status.domain);
      return {
        drafts: details.instances.map((instance) => ({
          slug: instance.slug,
          customer: instance.customer,
          ...draftCustomerNotice(details.incident, instance.customer, {
            statusPageUrl: pageUrl(instance.slug),
            ...(input.estimatedResolution ? { estimatedResolution: input.estimatedResolution } : {}),
          }),
        })),
      };
    },
  }),
  defineRoute({
    id: 'incidents.customerNotice.send',
    method: 'post',
    path: '/incidents/{id}/customer-notice',
    summary:
      "Mail the customer notice (the draft, or an edited subject and text) to the instance's customer contacts; recorded on the timeline",
    tag: 'incidents',
    permission: 'incidents:write',
    input: z
      .object({
        id,
        slug: z.string().max(100).optional(),
        subject: z.string().max(300).optional(),
        body: z.string().max(20_000).optional(),
        estimatedResolution: z.string().max(300).optional(),
      })
      .strict(),
    output: z.object({ slug: z.string(), to: z.array(z.string()), subject: z.string() }),
    run: async ({ deps, actor }, input) =>
      sendCustomerNotice(
        { ...deps, mailer: deps.mailer, pageUrl: pageUrlOf(deps.config.status.domain) },
        actor,
        input,
      ),
  }),
  defineRoute({
    id: 'incidents.postmortem.document',
    method: 'get',
    path: '/incidents/{id}/postmortem',
    summary: 'The post-mortem as Markdown, HTML or PDF (base64)',
    tag: 'incidents',
    permission: 'incidents:read',
    input: z.object({ id, format: z.enum(documentFormats).default('markdown') }).strict(),
    output: documentSchema,
    run: async ({ deps, actor }, input) => documentBody(await postmortemDocument(deps, actor, input)),
  }),
];
