import { describeError } from '../core/errors.ts';
import { loadBaselines, saveBaselines } from './baselines.ts';
import type { MonitoringDeps } from './deps.ts';
import { MinHeap } from './min-heap.ts';
import type { ProbeResult } from './probes/types.ts';
import { type Monitor, toMonitor } from './records.ts';
import { type CheckRecord, type MonitorStateChange, pruneChecks, writeChecks } from './results.ts';
import { ProbeMemory, runProbe, targetOf } from './run-probe.ts';

export interface SchedulerOptions {
  /** Checks in flight at once, all targets together. */
  concurrency?: number;
  /** Checks in flight against one `host:port`: a slow target never gets hammered. */
  perTargetConcurrency?: number;
  /** How often monitor definitions are re-read. */
  refreshMs?: number;
  /** How often results are written (one transaction per flush); small batches keep the event loop responsive. */
  flushMs?: number;
  tickMs?: number;
}

/** One check's outcome, after the monitor's retry rule is applied. */
export interface CheckOutcome {
  monitor: Monitor;
  result: ProbeResult;
  at: number;
  state: 'unknown' | 'up' | 'down';
  stateSince: number;
  changed: boolean;
}

export interface SchedulerHooks {
  /** After each flush: alert evaluation reads the outcomes and the current states. */
  afterFlush?(
    outcomes: readonly CheckOutcome[],
    states: ReadonlyMap<string, Entry>,
    now: number,
  ): Promise<void>;
}

export interface Entry {
  monitor: Monitor;
  target: string;
  nextAt: number;
  generation: number;
  running: boolean;
  state: 'unknown' | 'up' | 'down';
  failures: number;
  stateSince: number;
}

/** Spreads a monitor's checks over its interval by id, so 10,000 monitors at 30 s are ~333 checks every second, not a burst. */
export function offsetOf(id: string, intervalMs: number): number {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return (hash >>> 0) % intervalMs;
}

/**
 * Runs every enabled monitor on its interval in this process: a min-heap of due times, a global and a
 * per-target concurrency limit, a check that is still running skips its next turn (a hanging target
 * costs one slot, never a queue), results written in batches.
 */
export class Scheduler {
  readonly #deps: MonitoringDeps;
  readonly #hooks: SchedulerHooks;
  readonly #concurrency: number;
  readonly #perTarget: number;
  readonly #options: Required<Pick<SchedulerOptions, 'refreshMs' | 'flushMs' | 'tickMs'>>;
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new MinHeap<Entry>((entry) => entry.nextAt);
  readonly #memory = new ProbeMemory();
  readonly #inFlightPerTarget = new Map<string, number>();
  readonly #waiting = new Map<string, Array<{ entry: Entry; dueAt: number }>>();
  readonly #running = new Set<Promise<void>>();
  #inFlight = 0;
  #buffer: Array<{ record: CheckRecord; outcome: CheckOutcome }> = [];
  #flushing: Promise<void> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  #stopped = true;
  #lastPrune = 0;
  /** Host monitors checked since the last flush: their baselines are saved with the results. */
  readonly #baselinesToSave = new Set<string>();
  #version = '';
  /** Lateness of each check start against its due time (ms), the last 10,000 (in no particular order). */
  readonly lags: number[] = [];
  checksDone = 0;
  skipped = 0;

  constructor(deps: MonitoringDeps, hooks: SchedulerHooks = {}, options: SchedulerOptions = {}) {
    this.#deps = deps;
    this.#hooks = hooks;
    this.#concurrency = options.concurrency ?? 256;
    this.#perTarget = options.perTargetConcurrency ?? 4;
    this.#options = {
      refreshMs: options.refreshMs ?? 10_000,
      flushMs: options.flushMs ?? 250,
      tickMs: options.tickMs ?? 20,
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  get states(): ReadonlyMap<string, Entry> {
    return this.#entries;
  }

  /** Re-reads monitor definitions: new ones join, changed ones restart, removed or disabled ones leave. */
  async refresh(): Promise<void> {
    // Reading 10,000 definitions blocks the loop for a while: do it only when something changed.
    const summary = await this.#deps.store.db
      .selectFrom('monitors')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.max('updated_at').as('latest')])
      .executeTakeFirst();
    const version = `${summary?.count ?? 0}:${summary?.latest ?? 0}`;
    if (version === this.#version) return;
    this.#version = version;
    const rows = await this.#deps.store.db
      .selectFrom('monitors')
      .selectAll()
      .where('enabled', '=', 1)
      .execute();
    const now = this.#now();
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      const monitor = toMonitor(row);
      const existing = this.#entries.get(row.id);
      if (existing && existing.monitor.updatedAt.getTime() === monitor.updatedAt.getTime()) continue;
      const intervalMs = monitor.intervalSeconds * 1000;
      const entry: Entry = {
        monitor,
        target: targetOf(monitor),
        nextAt: now + ((offsetOf(monitor.id, intervalMs) - (now % intervalMs) + intervalMs) % intervalMs),
        generation: (existing?.generation ?? 0) + 1,
        running: false,
        state: existing?.state ?? monitor.state,
        failures: existing?.failures ?? monitor.failures,
        stateSince: existing?.stateSince ?? monitor.stateSince?.getTime() ?? now,
      };
      this.#entries.set(row.id, entry);
      this.#heap.push(entry);
    }
    for (const id of [...this.#entries.keys()]) {
      if (!seen.has(id)) {
        this.#entries.delete(id);
        this.#memory.forget(id);
      }
    }
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const every = (ms: number, work: () => unknown) => {
      const timer = setInterval(() => {
        Promise.resolve(work()).catch((error: unknown) =>
          this.#deps.logger?.error({ err: describeError(error) }, 'monitoring scheduler step failed'),
        );
      }, ms);
      this.#timers.push(timer);
    };
    every(this.#options.tickMs, () => this.#dispatchDue());
    every(this.#options.flushMs, () => this.flush());
    every(this.#options.refreshMs, () => this.refresh());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    // Checks in flight get a short grace, not their whole timeout: a hanging target must not hold up a shutdown.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#running]),
      new Promise((resolve) => {
        grace = setTimeout(resolve, 2_000);
      }),
    ]);
    clearTimeout(grace);
    await this.flush();
  }

  /** Starts every check due now and waits for them and their flush: for tests on a manual clock. */
  async runDue(): Promise<void> {
    this.#dispatchDue();
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    await this.flush();
  }

  /** Writes buffered results, then lets alert evaluation see them. Flushes never overlap. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const batch = this.#buffer;
      this.#buffer = [];
      const now = this.#now();
      const states = new Map<string, MonitorStateChange>();
      for (const { outcome } of batch) {
        const entry = this.#entries.get(outcome.monitor.id);
        states.set(outcome.monitor.id, {
          id: outcome.monitor.id,
          state: outcome.state,
          failures: entry?.failures ?? 0,
          message: outcome.result.message,
          latencyMs: outcome.result.latencyMs,
          checkedAt: outcome.at,
          stateSince: outcome.stateSince,
        });
      }
      try {
        await writeChecks(
          this.#deps.store.db,
          batch.map((item) => item.record),
          [...states.values()],
        );
        const checkedHosts = [...this.#baselinesToSave].filter((id) => this.#memory.hasHost(id));
        this.#baselinesToSave.clear();
        await saveBaselines(
          this.#deps.store.db,
          checkedHosts.map((id) => ({ monitorId: id, metrics: this.#memory.host(id).baselines })),
          now,
        );
        if (now - this.#lastPrune > 600_000) {
          this.#lastPrune = now;
          await pruneChecks(this.#deps.store.db, now);
        }
      } catch (error) {
        this.#deps.logger?.error(
          { err: describeError(error), checks: batch.length },
          'writing check results failed',
        );
      }
      await this.#hooks.afterFlush?.(
        batch.map((item) => item.outcome),
        this.#entries,
        now,
      );
    });
    return this.#flushing;
  }

  #now(): number {
    return this.#deps.clock.now().getTime();
  }

  #dispatchDue(): void {
    const now = this.#now();
    for (;;) {
      const next = this.#heap.peek();
      if (!next || next.nextAt > now) break;
      this.#heap.pop();
      const current = this.#entries.get(next.monitor.id);
      if (current !== next) continue; // removed or replaced since it was queued
      const dueAt = next.nextAt;
      const intervalMs = next.monitor.intervalSeconds * 1000;
      next.nextAt += intervalMs;
      if (next.nextAt <= now) next.nextAt += Math.ceil((now - next.nextAt + 1) / intervalMs) * intervalMs;
      this.#heap.push(next);
      if (next.running) {
        this.skipped += 1;
        continue;
      }
      this.#enqueue(next, dueAt);
    }
  }

  #enqueue(entry: Entry, dueAt: number): void {
    entry.running = true;
    if (
      this.#inFlight < this.#concurrency &&
      (this.#inFlightPerTarget.get(entry.target) ?? 0) < this.#perTarget
    ) {
      this.#launch(entry, dueAt);
      return;
    }
    const queue = this.#waiting.get(entry.target) ?? [];
    queue.push({ entry, dueAt });
    this.#waiting.set(entry.target, queue);
  }

  #launch(entry: Entry, dueAt: number): void {
    this.#inFlight += 1;
    this.#inFlightPerTarget.set(entry.target, (this.#inFlightPerTarget.get(entry.target) ?? 0) + 1);
    const startedAt = this.#now();
    this.#recordLag(startedAt - dueAt);
    const task = this.#check(entry, startedAt).finally(() => {
      this.#running.delete(task);
      this.#inFlight -= 1;
      const left = (this.#inFlightPerTarget.get(entry.target) ?? 1) - 1;
      if (left === 0) this.#inFlightPerTarget.delete(entry.target);
      else this.#inFlightPerTarget.set(entry.target, left);
      this.#startWaiting(entry.target);
    });
    this.#running.add(task);
  }

  #startWaiting(freedTarget: string): void {
    const tryTarget = (target: string) => {
      const queue = this.#waiting.get(target);
      while (
        queue &&
        queue.length > 0 &&
        this.#inFlight < this.#concurrency &&
        (this.#inFlightPerTarget.get(target) ?? 0) < this.#perTarget
      ) {
        const next = queue.shift() as { entry: Entry; dueAt: number };
        this.#launch(next.entry, next.dueAt);
      }
      if (queue && queue.length === 0) this.#waiting.delete(target);
    };
    tryTarget(freedTarget);
    for (const target of this.#waiting.keys()) {
      if (this.#inFlight >= this.#concurrency) break;
      tryTarget(target);
    }
  }

  #lagCursor = 0;

  #recordLag(lag: number): void {
    // A ring: shifting a 10,000-entry array on every check would cost more than the check.
    if (this.lags.length < 10_000) this.lags.push(Math.max(0, lag));
    else this.lags[this.#lagCursor] = Math.max(0, lag);
    this.#lagCursor = (this.#lagCursor + 1) % 10_000;
  }

  async #check(entry: Entry, startedAt: number): Promise<void> {
    const { monitor } = entry;
    if (monitor.kind === 'host' && !this.#memory.hasHost(monitor.id)) {
      // A restart picks up what the baselines learned before it.
      const saved = await loadBaselines(this.#deps.store.db, monitor.id).catch(() => new Map());
      const memory = this.#memory.host(monitor.id);
      for (const [metric, baseline] of saved) memory.baselines.set(metric, baseline);
    }
    const result = await runProbe(monitor, startedAt, this.#memory, async () => {
      const row = await this.#deps.store.db
        .selectFrom('monitors')
        .select('last_pushed_at')
        .where('id', '=', monitor.id)
        .executeTakeFirst();
      return row?.last_pushed_at == null ? null : Number(row.last_pushed_at);
    });
    entry.running = false;
    if (monitor.kind === 'host') this.#baselinesToSave.add(monitor.id);
    if (this.#entries.get(monitor.id) !== entry) return; // changed while it ran: its result no longer applies
    const at = startedAt;
    let changed = false;
    if (result.ok) {
      entry.failures = 0;
      if (entry.state !== 'up') {
        entry.state = 'up';
        entry.stateSince = at;
        changed = true;
      }
    } else {
      entry.failures += 1;
      if (entry.failures > monitor.retries && entry.state !== 'down') {
        entry.state = 'down';
        entry.stateSince = at;
        changed = true;
      }
    }
    this.checksDone += 1;
    const { state } = entry; // still unknown while a new monitor's first failures are within its retries
    this.#buffer.push({
      record: {
        monitorId: monitor.id,
        at,
        ok: result.ok,
        latencyMs: result.latencyMs,
        message: result.message,
      },
      outcome: { monitor, result, at, state, stateSince: entry.stateSince, changed },
    });
  }
}
