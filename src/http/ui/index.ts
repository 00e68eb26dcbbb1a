import { Hono } from 'hono';
import { getUser } from '../../auth/index.ts';
import type { AdminEnv } from '../middleware/actor.ts';
import { createUi, type UiDeps } from './context.ts';
import { uiErrorResponse } from './error-page.ts';
import type { PendingStep } from './guard.ts';
import { auditPages } from './pages/audit.ts';
import { backupPages } from './pages/backups.ts';
import { banPages } from './pages/bans.ts';
import { enrolPages } from './pages/enrol.ts';
import { incidentPages } from './pages/incidents.ts';
import { instancePages } from './pages/instances.ts';
import { loginPages } from './pages/login.ts';
import { logoutPages } from './pages/logout.ts';
import { monitoringPages } from './pages/monitoring.ts';
import { monitoringReportPages } from './pages/monitoring-reports.ts';
import { overviewPages } from './pages/overview.ts';
import { sectionPages } from './pages/sections.ts';
import { setupPages } from './pages/setup.ts';
import { statusPagePages } from './pages/status-pages.ts';
import { tokenPages } from './pages/tokens.ts';
import { userPages } from './pages/users.ts';
import { stylesheet, stylesheetPath } from './styles.ts';

export type { UiDeps } from './context.ts';
export { uiErrorResponse, uiNotFound } from './error-page.ts';

/**
 * The admin UI: server-rendered pages that work without JavaScript. Mount at `/` after `resolveActor`
 * and `sameOrigin()`; every page checks the actor itself, every form posts the session's CSRF token.
 */
export function createUiApp(deps: UiDeps): Hono<AdminEnv> {
  // A session with no permission owes a step: the code if a second factor is set up, else the enrolment.
  const pendingStep: PendingStep = async (actor) => {
    if (actor.kind !== 'user' || actor.permissions.size > 0) return 'done';
    const user = await getUser(ui.access, actor, actor.id);
    return user.totpEnabledAt ? 'second-factor' : 'enrol';
  };
  const ui = createUi(deps, pendingStep);
  const app = new Hono<AdminEnv>();

  app.get(stylesheetPath, (context) => {
    context.header('content-type', 'text/css; charset=utf-8');
    // The page links it with `?v=<hash of the content>`, so a cached copy is never stale.
    context.header('cache-control', 'public, max-age=31536000, immutable');
    context.header('x-content-type-options', 'nosniff');
    return context.body(stylesheet);
  });

  for (const pages of [
    loginPages,
    enrolPages,
    setupPages,
    logoutPages,
    overviewPages,
    sectionPages,
    instancePages,
    userPages,
    tokenPages,
    auditPages,
    banPages,
    incidentPages,
    statusPagePages,
    monitoringPages,
    monitoringReportPages,
    backupPages,
  ]) {
    app.route('/', pages(ui));
  }
  app.onError((error, context) => uiErrorResponse(context, error, deps.logger));
  return app;
}
