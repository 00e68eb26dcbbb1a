export { type AuditLogDeps, createAuditLog } from './create-audit-log.ts';
export type * from './types.ts';
export type { VerifyOptions } from './verify.ts';
