/** How many backups to keep: the newest of each of the last `daily` days, `weekly` weeks, `monthly` months. */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetainedCandidate {
  id: string;
  createdAt: Date;
}

/** Calendar day, ISO week and month of an instant in a time zone. */
function periodsOf(at: Date, timeZone: string): { day: string; week: string; month: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  // ISO week: the Thursday of this week decides the year.
  const local = new Date(`${day}T00:00:00Z`);
  const weekday = (local.getUTCDay() + 6) % 7;
  const thursday = new Date(local.getTime() + (3 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7);
  return { day, week: `${thursday.getUTCFullYear()}-W${week}`, month: day.slice(0, 7) };
}

/**
 * The good backups to keep; everything else may be pruned. Newest first per period, like restic's
 * `--keep-daily/weekly/monthly`; the newest backup is always kept, whatever the policy says.
 */
export function backupsToKeep(
  backups: readonly RetainedCandidate[],
  policy: RetentionPolicy,
  timeZone: string,
): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const keep = new Set<string>();
  const first = newestFirst[0];
  if (first) keep.add(first.id);
  for (const [period, count] of [
    ['day', policy.daily],
    ['week', policy.weekly],
    ['month', policy.monthly],
  ] as const) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= count) break;
      const key = periodsOf(backup.createdAt, timeZone)[period];
      if (seen.has(key)) continue;
      seen.add(key);
      keep.add(backup.id);
    }
  }
  return keep;
}
