import { z } from 'zod';
import { addNode, listNodes, nodeRoles, removeNode } from '../../../nodes/index.ts';
import { defineRoute } from '../route.ts';
import { plain } from './monitoring.ts';

const nodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  roles: z.array(z.enum(nodeRoles)),
  exporterUrl: z.string().nullable(),
  createdAt: z.string(),
  removedAt: z.string().nullable(),
});

const listedSchema = nodeSchema.extend({
  monitors: z.array(z.object({ id: z.string(), name: z.string(), state: z.string() })),
});

export const nodeRoutes = [
  defineRoute({
    id: 'nodes.list',
    method: 'get',
    path: '/nodes',
    summary: 'Servers Roost manages, with their template monitors',
    tag: 'nodes',
    permission: 'instances:read',
    input: z.object({}).strict(),
    output: z.object({ nodes: z.array(listedSchema) }),
    run: async ({ deps, actor }) => ({
      nodes: plain(await listNodes(deps, actor)) as Array<z.input<typeof listedSchema>>,
    }),
  }),
  defineRoute({
    id: 'nodes.add',
    method: 'post',
    path: '/nodes',
    summary:
      'Register a node: its monitors come from the node template (TCP 443/80/22 on front, host metrics, unresponsive)',
    tag: 'nodes',
    permission: 'instances:write',
    status: 201,
    input: z.object({
      name: z.string(),
      address: z.string(),
      roles: z.array(z.string()),
      exporterUrl: z.string().optional(),
    }),
    output: z.object({ node: nodeSchema, monitors: z.array(z.string()) }),
    run: async ({ deps, actor }, input) => {
      const { node, monitors } = await addNode(deps, actor, input as Parameters<typeof addNode>[2]);
      return { node: plain(node) as z.input<typeof nodeSchema>, monitors };
    },
  }),
  defineRoute({
    id: 'nodes.remove',
    method: 'delete',
    path: '/nodes/{name}',
    summary: 'Remove a node and its template monitors',
    tag: 'nodes',
    permission: 'instances:write',
    input: z.object({ name: z.string() }).strict(),
    output: z.object({ name: z.string(), monitors: z.number() }),
    run: async ({ deps, actor }, input) => removeNode(deps, actor, input),
  }),
];
