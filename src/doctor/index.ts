export { type CheckStatus, type DoctorCheck, type DoctorEnvironment, runDoctor } from './checks.ts';
