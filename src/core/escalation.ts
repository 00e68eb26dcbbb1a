/** A level of an escalation policy: who is paged and how long they have to acknowledge. */
export interface EscalationLevel {
  /** Schedule whose on-call person is paged at this level. */
  scheduleId: string;
  /** Minutes before the next level is paged when nobody acknowledged. */
  timeoutMinutes: number;
}

/**
 * The level (1-based) an unacknowledged alert has reached `now`: level 1 when it fires, level 2 once
 * level 1's timeout has passed, and so on; it stays at the last level. Elapsed time is real time, so
 * a DST jump neither shortens nor lengthens a timeout.
 */
export function escalationLevelAt(firedAt: number, now: number, levels: readonly EscalationLevel[]): number {
  if (levels.length === 0) return 0;
  let level = 1;
  let due = firedAt;
  for (const entry of levels.slice(0, -1)) {
    due += entry.timeoutMinutes * 60_000;
    if (now < due) break;
    level += 1;
  }
  return level;
}
