export { type ActDeps, actOnAlert, actOnAlertLink } from './act-on-alert.ts';
export { AlertEngine, type AlertEngineDeps, fingerprintOf, type Signal, signalsFrom } from './engine.ts';
export { ingestAlertmanager } from './ingest-alertmanager.ts';
export { alertLinkToken, verifyAlertLinkToken } from './links.ts';
export { getAlert, listAlerts } from './list-alerts.ts';
export {
  type Alert,
  type AlertListener,
  type AlertTransition,
  type AlertTransitionKind,
  type MaintenanceSource,
  staticMaintenances,
  toAlert,
} from './records.ts';
export { conditionReporter } from './report-condition.ts';
export {
  activeSilences,
  createSilence,
  expireSilence,
  listSilences,
  type Matcher,
  type Silence,
  silenceMatches,
} from './silences.ts';
