import type { Selectable } from 'kysely';
import type { UserTable } from '../store/index.ts';
import { isRole, type Role } from './permissions.ts';

/** A user as operations return it: never the password hash. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  totpEnabledAt: Date | null;
  disabledAt: Date | null;
  passwordChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export type UserRow = Selectable<UserTable>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    // A role this version does not know (a downgrade) reads as the least powerful one.
    role: isRole(row.role) ? row.role : 'viewer',
    totpEnabledAt: toDate(row.totp_enabled_at),
    disabledAt: toDate(row.disabled_at),
    passwordChangedAt: new Date(Number(row.password_changed_at)),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

export function toDate(value: number | null): Date | null {
  return value === null ? null : new Date(Number(value));
}

/** Unique-key violations on both dialects (SQLite's message, PostgreSQL's SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || (error instanceof Error && /UNIQUE constraint failed/.test(error.message));
}
