import { z } from 'zod';
import { type Actor, authorize } from '../auth/actor.ts';
import { parseInput } from '../auth/input.ts';
import { RoostError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { createMonitor, type MonitoringDeps } from '../monitoring/index.ts';
import { tcpSettingsSchema } from '../monitoring/records.ts';
import { nodeMonitors } from './node-template.ts';
import { type Node, nodeRoles, toNode } from './records.ts';

export const addNodeInput = z.strictObject({
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes (front-1)'),
  address: tcpSettingsSchema.shape.host,
  roles: z.array(z.enum(nodeRoles)).min(1, 'at least one of front, db, backup, staging').max(4),
  exporterUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});

const template = { id: 'monitoring', label: 'node template' };

/** Registers a node and creates its monitors from the node template, in one transaction (`instances:write`). */
export async function addNode(
  deps: MonitoringDeps,
  actor: Actor,
  input: z.input<typeof addNodeInput>,
): Promise<{ node: Node; monitors: string[] }> {
  authorize(actor, 'instances:write');
  const { name, address, roles, exporterUrl } = parseInput(addNodeInput, input);
  const now = deps.clock.now().getTime();
  const id = newId('nod', new Date(now));
  return deps.store.db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('nodes')
      .select('id')
      .where('name', '=', name)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (taken) throw new RoostError('conflict', `name: a node named ${name} exists`, { field: 'name' });
    const row = await trx
      .insertInto('nodes')
      .values({
        id,
        name,
        address,
        roles: JSON.stringify([...new Set(roles)]),
        exporter_url: exporterUrl ?? null,
        created_at: now,
        removed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const node = toNode(row);
    const monitors: string[] = [];
    const templateActor = { ...actor, id: template.id, label: template.label };
    for (const definition of nodeMonitors(node)) {
      const created = await createMonitor(deps, templateActor, definition, 'node', trx, id);
      monitors.push(created.monitor.name);
    }
    await deps.audit.append(
      { actor, action: 'node.add', target: id, result: 'ok', details: { name, address, roles, monitors } },
      { db: trx },
    );
    return { node, monitors };
  });
}
