export {
  type CertificateVerdict,
  canonicalJson,
  type ErasureCertificate,
  erasureCertificateSchema,
  keyIdOf,
  signCertificate,
  verifyCertificate,
} from './certificate.ts';
export { registerInstanceJobs, runOperation } from './converge-job.ts';
export { createInstance } from './create-instance.ts';
export { decommissionInstance } from './decommission-instance.ts';
export type { InstanceDeps } from './deps.ts';
export { getCertificate } from './get-certificate.ts';
export { getInstance, type InstanceDetails } from './get-instance.ts';
export type { InstanceLifecycleListener } from './lifecycle.ts';
export { listInstances } from './list-instances.ts';
export {
  convergeQueue,
  defaultRelease,
  type Instance,
  type InstanceOperation,
  type InstanceState,
  instanceSlugPattern,
  type Release,
  toInstance,
} from './records.ts';
export { revealInstanceSecret } from './reveal-instance-secret.ts';
export { rotateInstanceSecret } from './rotate-instance-secret.ts';
export { type RuntimeKind, routedRuntime, runtimeKinds } from './routed-runtime.ts';
export { scaleInstance } from './scale-instance.ts';
export { restartInstance, startInstance, stopInstance } from './set-instance-running.ts';
export { stackSpecOf } from './stack-spec.ts';
export { updateInstance } from './update-instance.ts';
export { installationKey, verifyInstallationCertificate } from './verify-certificate.ts';
export { type InstanceWorkTable, workUnderWay } from './work-under-way.ts';
