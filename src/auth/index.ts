export * from './actor.ts';
export { banMessage, liftBan, listBans } from './bans.ts';
export { consumeBootstrapToken, ensureBootstrapToken, needsBootstrap } from './bootstrap.ts';
export { checkCsrf, csrfToken } from './csrf.ts';
export type { AccessDeps } from './deps.ts';
export { completeSecondFactor, type LoginResult, login, logout } from './login.ts';
export { checkPasswordPolicy, maximumPasswordLength, minimumPasswordLength } from './password-policy.ts';
export {
  currentPasswordParams,
  hashPassword,
  needsRehash,
  type PasswordHashParams,
  verifyPassword,
} from './passwords.ts';
export * from './permissions.ts';
export { requireProductionAccess } from './production-access.ts';
export { recoveryCodeCount } from './recovery-codes.ts';
export { type SecondFactorProof, verifySecondFactor } from './second-factor.ts';
export {
  createSession,
  type LoginStep,
  listSessions,
  markSecondFactor,
  type NewSession,
  type ResolvedSession,
  resolveSession,
  revokeAllSessions,
  revokeSession,
  type Session,
} from './sessions.ts';
export { confirmSecondFactor } from './step-up.ts';
export { activeBan, recordLoginFailure, type ThrottleDeps } from './throttle.ts';
export type { Ban, ThrottleSettings } from './throttle-types.ts';
export {
  type ApiToken,
  createToken,
  defaultTokenDays,
  listTokens,
  maximumTokenDays,
  resolveToken,
  revokeToken,
} from './tokens.ts';
export {
  confirmEnrolment,
  resetSecondFactor,
  startEnrolment,
  type TotpEnrolment,
  totpIssuer,
} from './totp.ts';
export type { User } from './user-record.ts';
export { createUser, disableUser, enableUser, getUser, listUsers, setPassword } from './users.ts';
