import type { MiddlewareHandler } from 'hono';
import type { ApiDeps } from '../api/route.ts';
import { accessDeps } from '../api/routes/access.ts';
import type { AdminEnv } from '../middleware/actor.ts';
import { type PendingStep, requirePage } from './guard.ts';
import type { NavItem } from './nav.ts';

/** What the admin UI runs on: the same dependencies as the JSON API. */
export type UiDeps = ApiDeps;

/** What every page module is given. */
export interface Ui {
  deps: UiDeps;
  access: ReturnType<typeof accessDeps>;
  /** Route middleware: logged in, log-in complete, and allowed to open the page. */
  page(permission: NavItem['permission']): MiddlewareHandler<AdminEnv>;
  pendingStep: PendingStep;
  timeZone: string;
}

export function createUi(deps: UiDeps, pendingStep: PendingStep): Ui {
  return {
    deps,
    access: accessDeps(deps),
    page: (permission) => requirePage(pendingStep, permission),
    pendingStep,
    timeZone: deps.config.timeZone,
  };
}
