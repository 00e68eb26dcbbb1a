import type { ApiRoute } from '../route.ts';
import { auditRoutes } from './audit.ts';
import { backupRoutes } from './backups.ts';
import { banRoutes } from './bans.ts';
import { contactRoutes } from './contacts.ts';
import { incidentRoutes } from './incidents.ts';
import { instanceRoutes } from './instances.ts';
import { migrationRoutes } from './migrations.ts';
import { monitoringRoutes } from './monitoring.ts';
import { nodeRoutes } from './nodes.ts';
import { reportRoutes } from './reports.ts';
import { secretRoutes } from './secrets.ts';
import { statusRoutes } from './status.ts';
import { tokenRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';

/** Every route of the JSON API; the router, OpenAPI, the permission matrix and the CLI read this table. */
export const apiRoutes: readonly ApiRoute[] = [
  ...userRoutes,
  ...tokenRoutes,
  ...banRoutes,
  ...auditRoutes,
  ...secretRoutes,
  ...instanceRoutes,
  ...incidentRoutes,
  ...statusRoutes,
  ...contactRoutes,
  ...monitoringRoutes,
  ...reportRoutes,
  ...nodeRoutes,
  ...backupRoutes,
  ...migrationRoutes,
];
