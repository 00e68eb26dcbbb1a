import type { ApiDeps } from '../route.ts';

/** The dependencies of access-control operations, from the API's. */
export function accessDeps(deps: ApiDeps) {
  return {
    store: deps.store,
    vault: deps.vault,
    clock: deps.clock,
    audit: deps.audit,
    logger: deps.logger,
    settings: deps.config.auth,
  };
}
