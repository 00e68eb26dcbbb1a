// Shared set-up for the access tests: a real store (per dialect), vault, audit log and a test clock.
import assert from 'node:assert/strict';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { generate } from 'otplib';
import type { TestStore } from '../../test/fixtures/store.ts';
import { createAuditLog } from '../audit/index.ts';
import { configSchema } from '../config/index.ts';
import { ManualClock } from '../core/clock.ts';
import { isRoostError } from '../core/errors.ts';
import type { Database, Store } from '../store/index.ts';
import { openVault } from '../vault/index.ts';
import { type Actor, localActor } from './actor.ts';
import type { AccessDeps } from './deps.ts';
import { login } from './login.ts';
import type { Role } from './permissions.ts';
import { resolveSession } from './sessions.ts';
import { confirmEnrolment, startEnrolment } from './totp.ts';
import { createUser } from './users.ts';

export const strongPassword = 'violet-harbour-tangent-42';

export interface Access {
  deps: AccessDeps;
  clock: ManualClock;
  local: Actor;
  /** Creates a user through the real operation (as the local CLI). */
  addUser(
    role: Role,
    options?: { email?: string; password?: string },
  ): Promise<{ id: string; email: string; password: string }>;
  /** Logs in and, when needed, enrols TOTP; returns a session actor with its permissions. */
  loginAs(user: { email: string; password: string }, options?: { ip?: string }): Promise<LoggedIn>;
  /** The TOTP code at the test clock's time (plus `offsetSeconds`). */
  code(secret: string, offsetSeconds?: number): Promise<string>;
}

export interface LoggedIn {
  sessionToken: string;
  actor: Actor;
  totpSecret?: string;
  recoveryCodes?: string[];
}

let counter = 0;

export async function openAccess(opened: TestStore | undefined): Promise<Access | undefined> {
  if (!opened) return undefined;
  const { store } = opened;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const vault = await openVault({ store, clock }, { keyFile: path.join(opened.directory, 'master.key') });
  const audit = await createAuditLog({ store, vault, clock });
  const settings = configSchema.parse({}).auth;
  const deps: AccessDeps = { store, vault, clock, audit, settings };
  const local = localActor(clock);
  const code = (secret: string, offsetSeconds = 0) =>
    generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + offsetSeconds });
  return {
    deps,
    clock,
    local,
    code,
    addUser: async (role, options = {}) => {
      counter += 1;
      const email = options.email ?? `${role}-${counter}-${process.pid}@example.test`;
      const password = options.password ?? strongPassword;
      const user = await createUser(deps, local, { email, name: `Test ${role}`, role, password });
      return { id: user.id, email, password };
    },
    loginAs: async (user, options = {}) => {
      const ip = options.ip ?? '192.0.2.10';
      const result = await login(deps, { email: user.email, password: user.password, ip, userAgent: 'test' });
      let resolved = await resolveSession(deps, result.sessionToken, ip);
      assert.ok(resolved);
      if (result.next !== 'enrol') return { sessionToken: result.sessionToken, actor: resolved.actor };
      const enrolment = await startEnrolment(deps, resolved.actor);
      const { recoveryCodes } = await confirmEnrolment(deps, resolved.actor, {
        code: await code(enrolment.secret),
      });
      resolved = await resolveSession(deps, result.sessionToken, ip);
      assert.ok(resolved);
      return {
        sessionToken: result.sessionToken,
        actor: resolved.actor,
        totpSecret: enrolment.secret,
        recoveryCodes,
      };
    },
  };
}

/** For `assert.rejects`: a RoostError of `code` whose one-line message matches. */
export function roostError(code: string, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(isRoostError(error), `expected a RoostError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    if (message) assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return true;
  };
}

const tables: (keyof Database)[] = [
  'users',
  'recovery_codes',
  'sessions',
  'api_tokens',
  'bootstrap_tokens',
  'login_failures',
  'bans',
  'audit_events',
  'vault_secrets',
  'vault_meta',
];

/** Every row of the access tables, the audit trail and the vault as one string, to look for leaked values. */
export async function dumpDatabase(store: Store): Promise<string> {
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

/** Skips nothing: returns the access set-up or undefined when the dialect's service is missing (already skipped). */
export async function setUp(
  use: (t: TestContext) => Promise<TestStore | undefined>,
  t: TestContext,
): Promise<Access | undefined> {
  return openAccess(await use(t));
}
