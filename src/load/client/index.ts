/**
 * The simulated SDK client: the retry strategies of the AWS SDKs and the adaptive client-side
 * rate limiter, applied in-process to every host's calls.
 */
export { AdaptiveLimiter, SDK_ADAPTIVE_DEFAULTS } from './adaptive-limiter.ts'
export type { AdaptiveLimiterOptions } from './adaptive-limiter.ts'
export { clientRetryLayer, retryErrorType, RetryQuota, sdkRetry } from './retry.ts'
export type { ClientSetting, RetryErrorType, RetryMode, SdkRetryOptions } from './retry.ts'
export { allJavaScript, clientSetting, DEFAULT_CLIENT, resolveClient } from './settings.ts'
export {
  BOTO3_LEGACY_STATUS,
  BOTO3_LEGACY_THROTTLING_CODES,
  BOTO3_THROTTLING_CODES,
  replayRequests,
  RetryBudget,
  sdkRetryModel,
} from './sdk-models.ts'
export type {
  ReplayedRequest,
  RetryClass,
  RetryQuotaModel,
  RetryRefusal,
  SdkRetryModel,
  SdkRetryModelOptions,
} from './sdk-models.ts'
