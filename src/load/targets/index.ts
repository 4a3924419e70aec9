/**
 * Targets: where a run's KMS calls go (the embedded emulator, a KMS endpoint URL, real AWS).
 */
export { awsTarget } from './aws.ts'
export type { AwsTargetOptions } from './aws.ts'
export { embeddedTarget } from './embedded.ts'
export { diffUsage, endpointTarget, fetchUsage } from './endpoint.ts'
export type { EndpointCredentials, EndpointTargetOptions } from './endpoint.ts'
export { SetupError, trackKeys } from './target.ts'
export type { QuotaOverrideCheck, SessionOptions, Target, TargetSession } from './target.ts'
