import { isIP } from 'node:net';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditLog } from '../audit/index.ts';
import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Logger } from '../observability/index.ts';
import type { BanTable, Database, Store } from '../store/index.ts';
import type { Ban, ThrottleSettings } from './throttle-types.ts';

export interface ThrottleDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  settings: ThrottleSettings;
  logger?: Logger | undefined;
}

export interface Subjects {
  ip: string | null;
  account: string | null;
}

type SubjectKind = Ban['subjectKind'];
interface Subject {
  kind: SubjectKind;
  value: string;
}

const minuteMs = 60_000;
const repeatWindowMs = 24 * 60 * minuteMs;
// Two-key advisory locks live apart from the one-key ones (migrations, audit appends).
const throttleLockSpace = 7_070_003;
const failureIdPrefix = 'lfl';
export const throttleActor = { id: 'throttle', label: 'throttle' } as const;

/** The active ban on either subject that ends last, if any: a login from them is refused. */
export async function activeBan(
  deps: Pick<ThrottleDeps, 'store' | 'clock'>,
  subjects: Subjects,
): Promise<Ban | undefined> {
  const list = subjectsOf(subjects);
  if (list.length === 0) return undefined;
  const row = await deps.store.db
    .selectFrom('bans')
    .selectAll()
    .where((eb) =>
      eb.or(
        list.map((subject) =>
          eb.and([eb('subject_kind', '=', subject.kind), eb('subject', '=', subject.value)]),
        ),
      ),
    )
    .where('lifted_at', 'is', null)
    .where('expires_at', '>', deps.clock.now().getTime())
    .orderBy('expires_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toBan(row) : undefined;
}

/**
 * Records one failed login against the client IP and the account (each when present). A subject with
 * `maxFailures` failures within `findMinutes`, counted since its last ban ended, is banned for
 * `banMinutes`, doubled for each earlier ban in the last 24 hours, capped at `maxBanMinutes`; the ban is
 * audited in the same transaction. Returns the new ban ending last, if one was made.
 */
export async function recordLoginFailure(
  deps: ThrottleDeps,
  input: Subjects & { reason: string },
): Promise<Ban | undefined> {
  const now = deps.clock.now();
  let newest: Ban | undefined;
  for (const subject of subjectsOf(input)) {
    const ban = await recordFor(deps, subject, input, now);
    if (ban && (!newest || ban.expiresAt > newest.expiresAt)) newest = ban;
  }
  await pruneFailures(deps, now);
  return newest;
}

async function recordFor(
  deps: ThrottleDeps,
  subject: Subject,
  input: Subjects & { reason: string },
  now: Date,
): Promise<Ban | undefined> {
  const { settings } = deps;
  const at = now.getTime();
  return deps.store.db.transaction().execute(async (trx) => {
    // One transaction per subject at a time, so two failures arriving together cannot both create a ban.
    if (deps.store.dialect === 'postgres') {
      const name = `${subject.kind}:${subject.value}`;
      await sql`SELECT pg_advisory_xact_lock(${throttleLockSpace}::int, hashtext(${name}))`.execute(trx);
    }
    await trx
      .insertInto('login_failures')
      .values({ id: newId(failureIdPrefix, now), subject_kind: subject.kind, subject: subject.value, at })
      .execute();
    const since = Math.max(at - settings.findMinutes * minuteMs + 1, await lastBanEnd(trx, subject));
    const failures = await failuresSince(trx, subject, since);
    if (failures < settings.maxFailures) return undefined;

    const offence = (await bansSince(trx, subject, at - repeatWindowMs + 1)) + 1;
    const minutes = Math.min(settings.banMinutes * 2 ** (offence - 1), settings.maxBanMinutes);
    const ban: Ban = {
      id: newId('ban', now),
      subjectKind: subject.kind,
      subject: subject.value,
      reason: `${failures} failed logins within ${settings.findMinutes} minutes (last: ${input.reason.slice(0, 200)})`,
      offence,
      createdAt: now,
      expiresAt: new Date(at + minutes * minuteMs),
      liftedAt: null,
      liftedBy: null,
    };
    await trx
      .insertInto('bans')
      .values({
        id: ban.id,
        subject_kind: ban.subjectKind,
        subject: ban.subject,
        reason: ban.reason,
        offence,
        created_at: at,
        expires_at: ban.expiresAt.getTime(),
        lifted_at: null,
        lifted_by: null,
      })
      .execute();
    await deps.audit.append(
      {
        actor: throttleActor,
        action: 'ban.create',
        target: ban.subject,
        result: 'ok',
        ip: normaliseIp(input.ip) ?? null,
        details: {
          banId: ban.id,
          subjectKind: ban.subjectKind,
          offence,
          minutes,
          failures,
          expiresAt: ban.expiresAt.toISOString(),
        },
      },
      { db: trx },
    );
    deps.logger?.warn(
      { banId: ban.id, subjectKind: ban.subjectKind, subject: ban.subject, offence, minutes },
      'login ban created',
    );
    return ban;
  });
}

/** When the subject's latest ban ended (lifted or expired; in the future while it is active), or 0. */
async function lastBanEnd(db: Kysely<Database>, subject: Subject): Promise<number> {
  const row = await db
    .selectFrom('bans')
    .select((eb) => eb.fn.max(eb.fn.coalesce('lifted_at', 'expires_at')).as('end'))
    .where('subject_kind', '=', subject.kind)
    .where('subject', '=', subject.value)
    .executeTakeFirst();
  return Number(row?.end ?? 0);
}

async function failuresSince(db: Kysely<Database>, subject: Subject, from: number): Promise<number> {
  const row = await db
    .selectFrom('login_failures')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('subject_kind', '=', subject.kind)
    .where('subject', '=', subject.value)
    .where('at', '>=', from)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

async function bansSince(db: Kysely<Database>, subject: Subject, from: number): Promise<number> {
  const row = await db
    .selectFrom('bans')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('subject_kind', '=', subject.kind)
    .where('subject', '=', subject.value)
    .where('created_at', '>=', from)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * Deletes failures older than the find window, which can no longer count. Failure ids start with their
 * time (`newId`), so the primary key serves as a time index and this stays cheap under a flood.
 */
async function pruneFailures(deps: ThrottleDeps, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - deps.settings.findMinutes * minuteMs);
  const below = newId(failureIdPrefix, cutoff).slice(0, failureIdPrefix.length + 11);
  await deps.store.db.deleteFrom('login_failures').where('id', '<', below).execute();
}

/** Present subjects, normalised: IPv4-mapped IPv6 addresses as IPv4, accounts as trimmed lower case. */
function subjectsOf(subjects: Subjects): Subject[] {
  const list: Subject[] = [];
  const ip = normaliseIp(subjects.ip);
  if (ip) list.push({ kind: 'ip', value: ip });
  const account = subjects.account?.trim().toLowerCase();
  if (account) list.push({ kind: 'account', value: account });
  return list;
}

export function normaliseIp(ip: string | null | undefined): string | undefined {
  const trimmed = ip?.trim().toLowerCase();
  if (!trimmed) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(trimmed)?.[1];
  return mapped && isIP(mapped) === 4 ? mapped : trimmed;
}

export function toBan(row: Selectable<BanTable>): Ban {
  return {
    id: row.id,
    subjectKind: row.subject_kind,
    subject: row.subject,
    reason: row.reason,
    offence: Number(row.offence),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    liftedAt: row.lifted_at === null ? null : new Date(Number(row.lifted_at)),
    liftedBy: row.lifted_by,
  };
}
