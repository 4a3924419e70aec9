/**
 * The `aws` target: real AWS KMS through `@aws-sdk/client-kms`, with the SDK's default
 * credential chain and Region endpoints. Keys the run creates are scheduled for deletion
 * afterwards (see {@link EndpointTargetOptions.pendingWindowInDays}).
 */
import { endpointTarget, type EndpointTargetOptions } from './endpoint.ts'

/** Options of {@link awsTarget}: those of an endpoint, without a URL. */
export type AwsTargetOptions = Omit<EndpointTargetOptions, 'url'>

/** Real AWS KMS (`--target aws`): real requests, real cost. */
export function awsTarget(options: AwsTargetOptions = {}): ReturnType<typeof endpointTarget> {
  return endpointTarget(options)
}
