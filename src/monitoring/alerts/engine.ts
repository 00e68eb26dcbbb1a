import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { routeAt } from '../../core/business-hours.ts';
import { describeError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Database } from '../../store/index.ts';
import type { MonitoringDeps } from '../deps.ts';
import type { CheckOutcome, Entry } from '../scheduler.ts';
import {
  type Alert,
  type AlertListener,
  type AlertTransitionKind,
  type MaintenanceSource,
  toAlert,
} from './records.ts';
import { activeSilences, silenceMatches } from './silences.ts';

/** A condition seen on one target: active (failing) or not, with what the alert would say. */
export interface Signal {
  fingerprint: string;
  monitorId: string | null;
  instanceId: string | null;
  severity: Alert['severity'];
  labels: Record<string, string>;
  summary: string;
  active: boolean;
  /** When the condition started (for `for`). */
  since: number;
  forSeconds: number;
}

export interface AlertEngineDeps extends MonitoringDeps {
  listeners?: readonly AlertListener[];
  maintenance?: MaintenanceSource;
}

const system = { id: 'monitoring', label: 'monitoring' };

export function fingerprintOf(parts: Record<string, string>): string {
  const canonical = Object.keys(parts)
    .sort()
    .map((key) => `${key}=${parts[key]}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function labelsOf(entry: Pick<CheckOutcome, 'monitor'>, alertname: string): Record<string, string> {
  const { monitor } = entry;
  return {
    ...monitor.labels,
    alertname,
    monitor: monitor.name,
    monitor_id: monitor.id,
    kind: monitor.kind,
    severity: monitor.severity,
    instance: monitor.instanceId ?? '',
  };
}

/** Down monitors are active signals; a monitor that came back up clears its signal. */
export function signalsFrom(outcomes: readonly CheckOutcome[], states: ReadonlyMap<string, Entry>): Signal[] {
  const signals = new Map<string, Signal>();
  for (const entry of states.values()) {
    if (entry.state !== 'down') continue;
    const signal = downSignal(entry, true, entry.stateSince, entry.monitor.lastMessage ?? 'down');
    signals.set(signal.fingerprint, signal);
  }
  for (const outcome of outcomes) {
    if (outcome.state === 'down') {
      const signal = downSignal(outcome, true, outcome.stateSince, outcome.result.message);
      signals.set(signal.fingerprint, signal);
    } else if (outcome.changed) {
      const signal = downSignal(outcome, false, outcome.at, outcome.result.message);
      signals.set(signal.fingerprint, signal);
    }
    const { monitor } = outcome;
    for (const finding of outcome.result.findings ?? []) {
      const signal: Signal = {
        fingerprint: fingerprintOf({ monitor: monitor.id, finding: finding.key }),
        monitorId: monitor.id,
        instanceId: monitor.instanceId,
        severity: finding.severity,
        labels: {
          ...labelsOf(outcome, finding.key.split(':')[0] ?? finding.key),
          severity: finding.severity,
          finding: finding.key,
        },
        summary: `${monitor.name}: ${finding.summary}`,
        active: true,
        since: outcome.at,
        forSeconds: 0,
      };
      signals.set(signal.fingerprint, signal);
    }
  }
  return [...signals.values()];
}

function downSignal(
  entry: Pick<CheckOutcome, 'monitor'>,
  active: boolean,
  since: number,
  message: string,
): Signal {
  const { monitor } = entry;
  return {
    fingerprint: fingerprintOf({ monitor: monitor.id, alertname: 'down' }),
    monitorId: monitor.id,
    instanceId: monitor.instanceId,
    severity: monitor.severity,
    labels: labelsOf(entry, 'down'),
    summary: `${monitor.name} is down: ${message}`,
    active,
    since,
    forSeconds: monitor.forSeconds,
  };
}

interface Tracked {
  id: string;
  state: 'pending' | 'firing';
  pendingSince: number;
  forSeconds: number;
  instanceId: string | null;
  labels: Record<string, string>;
  suppressedBy: string | null;
  monitorId: string | null;
  /** Findings clear when a check of their monitor no longer reports them. */
  finding: boolean;
}

/**
 * The alert lifecycle: pending when a condition starts, firing once it lasted `for`, resolved when it
 * clears; one open alert per fingerprint. Silences and maintenance windows mark alerts suppressed
 * (they still fire and resolve, nobody is notified). Every transition is audited and told to listeners.
 */
export class AlertEngine {
  readonly #deps: AlertEngineDeps;
  readonly #open = new Map<string, Tracked>();
  #loaded = false;

  constructor(deps: AlertEngineDeps) {
    this.#deps = deps;
  }

  /** Picks up alerts left open by a previous process, so a restart does not open duplicates. */
  async #load(): Promise<void> {
    if (this.#loaded) return;
    const rows = await this.#deps.store.db
      .selectFrom('alerts')
      .selectAll()
      .where('state', '!=', 'resolved')
      .execute();
    for (const row of rows) {
      const labels = JSON.parse(row.labels) as Record<string, string>;
      this.#open.set(row.fingerprint, {
        id: row.id,
        state: row.state === 'firing' ? 'firing' : 'pending',
        pendingSince: Number(row.pending_since),
        forSeconds: 0,
        instanceId: row.instance_id,
        labels,
        suppressedBy: row.suppressed_by,
        monitorId: row.monitor_id,
        finding: labels.finding !== undefined,
      });
    }
    this.#loaded = true;
  }

  /** After a scheduler flush: signals from the outcomes and current states, then `evaluate`. */
  async afterFlush(
    outcomes: readonly CheckOutcome[],
    states: ReadonlyMap<string, Entry>,
    now: number,
  ): Promise<void> {
    const signals = signalsFrom(outcomes, states);
    // A finding of a monitor checked again without it is over.
    const checked = new Set(outcomes.map((outcome) => outcome.monitor.id));
    const seen = new Set(signals.map((signal) => signal.fingerprint));
    await this.#load();
    for (const [fingerprint, tracked] of this.#open) {
      if (tracked.finding && tracked.monitorId && checked.has(tracked.monitorId) && !seen.has(fingerprint)) {
        signals.push({
          fingerprint,
          monitorId: tracked.monitorId,
          instanceId: tracked.instanceId,
          severity: 'warning',
          labels: tracked.labels,
          summary: '',
          active: false,
          since: now,
          forSeconds: 0,
        });
      }
      // A monitor that is gone (deleted, disabled) no longer holds its alerts open.
      if (!tracked.finding && tracked.monitorId && !states.has(tracked.monitorId) && !seen.has(fingerprint)) {
        signals.push({
          fingerprint,
          monitorId: tracked.monitorId,
          instanceId: tracked.instanceId,
          severity: 'info',
          labels: tracked.labels,
          summary: '',
          active: false,
          since: now,
          forSeconds: 0,
        });
      }
    }
    await this.evaluate(signals, now);
  }

  async evaluate(signals: readonly Signal[], now: number): Promise<void> {
    await this.#load();
    const silences = await activeSilences(this.#deps, now);
    const suppression = async (instanceId: string | null, labels: Record<string, string>) => {
      const silence = silences.find((candidate) => silenceMatches(candidate, labels));
      if (silence) return silence.id;
      const maintenance = await this.#deps.maintenance?.activeMaintenance(instanceId, now);
      return maintenance ? `maintenance:${maintenance.id}` : null;
    };
    for (const signal of signals) {
      try {
        const tracked = this.#open.get(signal.fingerprint);
        if (signal.active) {
          let current = tracked;
          if (!current) current = await this.#openAlert(signal, now);
          if (current.state === 'pending' && now - current.pendingSince >= current.forSeconds * 1000) {
            await this.#fire(
              signal.fingerprint,
              current,
              await suppression(current.instanceId, current.labels),
              now,
            );
          }
        } else if (tracked) {
          await this.#resolve(signal.fingerprint, tracked, now);
        }
      } catch (error) {
        this.#deps.logger?.error(
          { err: describeError(error), fingerprint: signal.fingerprint },
          'alert evaluation failed',
        );
      }
    }
    // Silences that start or end, maintenance windows that open or close, change firing alerts too.
    for (const tracked of this.#open.values()) {
      if (tracked.state !== 'firing') continue;
      const suppressedBy = await suppression(tracked.instanceId, tracked.labels);
      if (suppressedBy !== tracked.suppressedBy) {
        tracked.suppressedBy = suppressedBy;
        await this.#transition(tracked.id, suppressedBy ? 'suppressed' : 'unsuppressed', now, {
          suppressed_by: suppressedBy,
          // Lifted suppression: people hear about the alert now, as if it had just fired.
          ...(suppressedBy ? {} : { notified_state: null }),
        });
      }
    }
  }

  async #openAlert(signal: Signal, now: number): Promise<Tracked> {
    const id = newId('alr', new Date(now));
    const pendingSince = Math.min(signal.since, now);
    await this.#write(async (db) => {
      await db
        .insertInto('alerts')
        .values({
          id,
          fingerprint: signal.fingerprint,
          monitor_id: signal.monitorId,
          instance_id: signal.instanceId,
          group_key: signal.instanceId ?? 'global',
          severity: signal.severity,
          labels: JSON.stringify(signal.labels),
          summary: signal.summary.slice(0, 1000),
          state: 'pending',
          route: null,
          level: 0,
          suppressed_by: null,
          pending_since: pendingSince,
          fired_at: null,
          resolved_at: null,
          acknowledged_at: null,
          acknowledged_by: null,
          notified_state: null,
          updated_at: now,
        })
        .execute();
      await this.#deps.audit.append(
        {
          actor: system,
          action: 'alert.pending',
          target: id,
          result: 'ok',
          details: { summary: signal.summary, fingerprint: signal.fingerprint },
        },
        { db },
      );
    });
    const tracked: Tracked = {
      id,
      state: 'pending',
      pendingSince,
      forSeconds: signal.forSeconds,
      instanceId: signal.instanceId,
      labels: signal.labels,
      suppressedBy: null,
      monitorId: signal.monitorId,
      finding: signal.labels.finding !== undefined,
    };
    this.#open.set(signal.fingerprint, tracked);
    await this.#tell('pending', id, now);
    return tracked;
  }

  async #fire(
    fingerprint: string,
    tracked: Tracked,
    suppressedBy: string | null,
    now: number,
  ): Promise<void> {
    tracked.state = 'firing';
    tracked.suppressedBy = suppressedBy;
    await this.#transition(tracked.id, 'firing', now, {
      state: 'firing',
      fired_at: now,
      route: routeAt(new Date(now)),
      suppressed_by: suppressedBy,
    });
    this.#open.set(fingerprint, tracked);
  }

  async #resolve(fingerprint: string, tracked: Tracked, now: number): Promise<void> {
    this.#open.delete(fingerprint);
    await this.#transition(tracked.id, 'resolved', now, { state: 'resolved', resolved_at: now });
  }

  async #transition(
    id: string,
    kind: AlertTransitionKind,
    now: number,
    changes: Partial<
      Pick<
        Database['alerts'],
        'state' | 'fired_at' | 'resolved_at' | 'route' | 'suppressed_by' | 'notified_state'
      >
    >,
  ): Promise<void> {
    await this.#write(async (db) => {
      await db
        .updateTable('alerts')
        .set({ ...changes, updated_at: now })
        .where('id', '=', id)
        .execute();
      await this.#deps.audit.append(
        { actor: system, action: `alert.${kind}`, target: id, result: 'ok', details: { ...changes } },
        { db },
      );
    });
    await this.#tell(kind, id, now);
  }

  #write(work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
    return this.#deps.store.db.transaction().execute(work);
  }

  async #tell(kind: AlertTransitionKind, id: string, now: number): Promise<void> {
    const listeners = this.#deps.listeners ?? [];
    if (listeners.length === 0) return;
    const row = await this.#deps.store.db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return;
    const alert = toAlert(row);
    for (const listener of listeners) {
      try {
        await listener.alertChanged({ kind, alert, at: new Date(now) });
      } catch (error) {
        this.#deps.logger?.warn(
          { err: describeError(error), listener: listener.name },
          'alert listener failed',
        );
      }
    }
  }
}
