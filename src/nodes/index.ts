export { addNode, addNodeInput } from './add-node.ts';
export { listNodes, type NodeWithMonitors } from './list-nodes.ts';
export { nodeMonitors } from './node-template.ts';
export { type Node, type NodeRole, nodeRoles } from './records.ts';
export { removeNode } from './remove-node.ts';
