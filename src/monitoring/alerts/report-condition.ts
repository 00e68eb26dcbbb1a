import type { Condition, ConditionReporter } from '../../core/conditions.ts';
import { AlertEngine, type AlertEngineDeps, fingerprintOf } from './engine.ts';

/** Conditions reported by other domains enter the alert lifecycle at once (the domain applied its own `for`). */
export function conditionReporter(deps: AlertEngineDeps): ConditionReporter {
  return {
    async report(condition: Condition): Promise<void> {
      const now = deps.clock.now().getTime();
      await new AlertEngine(deps).evaluate(
        [
          {
            fingerprint: fingerprintOf({ source: condition.source, key: condition.key }),
            monitorId: null,
            instanceId: condition.instanceId,
            severity: condition.severity,
            labels: {
              ...condition.labels,
              alertname: condition.labels?.alertname ?? condition.source,
              source: condition.source,
              severity: condition.severity,
              instance: condition.instanceId ?? '',
            },
            summary: condition.summary,
            active: condition.active,
            since: now,
            forSeconds: 0,
          },
        ],
        now,
      );
    },
  };
}
