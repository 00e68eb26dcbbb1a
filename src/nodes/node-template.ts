import type { MonitorDefinitionInput } from '../monitoring/index.ts';
import type { Node } from './records.ts';

/**
 * The monitors every node gets, the same in every environment (R4): TCP 443, 80 and 22 on front nodes;
 * on every node, host metrics from node_exporter and "unresponsive" (the exporter's port answering, or
 * SSH when the node has no exporter), which stays apart from the metric limits.
 */
export function nodeMonitors(
  node: Pick<Node, 'name' | 'address' | 'roles' | 'exporterUrl'>,
): MonitorDefinitionInput[] {
  const labels = { node: node.name, roles: node.roles.join(',') };
  const tcp = (name: string, port: number): MonitorDefinitionInput => ({
    name: `node ${node.name} ${name}`,
    kind: 'tcp',
    settings: { host: node.address, port },
    intervalSeconds: 30,
    retries: 1,
    forSeconds: 60,
    labels,
  });
  const monitors: MonitorDefinitionInput[] = [];
  if (node.roles.includes('front')) monitors.push(tcp('tcp 443', 443), tcp('tcp 80', 80), tcp('tcp 22', 22));
  if (node.exporterUrl) {
    const exporter = new URL(node.exporterUrl);
    const port = Number(exporter.port || (exporter.protocol === 'https:' ? 443 : 80));
    monitors.push({
      name: `node ${node.name} host metrics`,
      kind: 'host',
      settings: { url: node.exporterUrl },
      intervalSeconds: 60,
      retries: 1,
      forSeconds: 120,
      severity: 'warning',
      labels,
    });
    monitors.push({
      ...tcp('unresponsive', port),
      settings: { host: exporter.hostname.replace(/^\[|\]$/g, ''), port },
      retries: 2,
    });
  } else {
    monitors.push({ ...tcp('unresponsive', 22), retries: 2 });
  }
  return monitors;
}
