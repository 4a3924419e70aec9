/**
 * kms-bench's public library API. Explicit named exports only.
 */
import {
  type DefineScenarioOptions,
  defineScenario as defineScenarioWith,
  type Scenario,
  type ScenarioInput,
} from './load/index.ts'
import { BUILT_IN_MITIGATIONS } from './mitigations/index.ts'

export { SystemClock, VirtualClock, VIRTUAL_EPOCH_MS } from './clock.ts'
export type { Clock, TimerHandle } from './clock.ts'
export { createEmulator, THROTTLED } from './emulator.ts'
export type { CallResult, Emulator, EmulatorOptions } from './emulator.ts'
export type { AuditEvent, AuditOptions } from './kms/index.ts'
export { AWS_OWNED_KEYS_ACCOUNT, awsOwnedKeyCaller } from './kms/index.ts'
export type { Caller, CallerInput } from './kms/index.ts'
export { PolicyAuthorizer } from './kms/index.ts'
export type { AccessDecision, DecisionReason } from './kms/index.ts'
export { allowAll, DEFAULT_GRANT_PROPAGATION_DELAY_MS } from './kms/index.ts'
export type { AsyncDelays, KmsCoreOptions } from './kms/index.ts'
export { KmsError, THROTTLING_MESSAGE } from './kms/index.ts'
export { OPERATION_NAMES } from './kms/index.ts'
export type { OperationInputs, OperationName, OperationOutputs } from './kms/index.ts'
export { billableKeys, estimateCost, keyMonthlyPriceUsd, KMS_PRICES } from './kms/index.ts'
export type { BillableKey, CostEstimate, CostFigures, CostInput, KeyCostInput, KmsPrices } from './kms/index.ts'
export { restoreSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, SnapshotError, takeSnapshot } from './kms/index.ts'
export type { KmsSnapshot } from './kms/index.ts'
export { ArrivalStream } from './load/index.ts'
export { parseDuration } from './load/index.ts'
export { callKms, directKms, Flight, isThrottled, kmsCall, sleep, wait, withCaller, withInput } from './load/index.ts'
export type {
  CallMeta,
  Effect,
  EffectGenerator,
  KmsCallSpec,
  KmsErrorLike,
  KmsInvoker,
  KmsOutcome,
  S3CallMeta,
  SleepEffect,
  SyncKms,
  WaitEffect,
} from './load/index.ts'
export { endpointTarget } from './load/index.ts'
export type { EndpointTargetOptions } from './load/index.ts'
export {
  AWS_LATENCY_SPEC,
  createLatencyModel,
  LatencySpecError,
  NO_LATENCY_SPEC,
  parseLatencySpec,
} from './load/index.ts'
export type {
  LatencyDistribution,
  LatencyModel,
  LatencySpec,
  LatencyTail,
  SampleOptions,
  UniformRandom,
} from './load/index.ts'
export { mergeSummaries } from './load/index.ts'
export { mitigationTable, NO_MITIGATIONS } from './load/index.ts'
export type {
  ClientRetryConfig,
  Host,
  Mitigation,
  MitigationContext,
  MitigationFactory,
  MitigationTable,
  MitigationProblem,
  MitigationResult,
  MitigationRun,
  ResolvedKey,
  SetupKms,
  TargetKind,
} from './load/index.ts'
export {
  buildPlan,
  parseWorkload,
  PlanError,
  SECONDS_PER_MONTH,
  throttleMonthEver,
  throttleMonthWithin,
  workloadScenario,
  WorkloadSchema,
} from './plan/index.ts'
export type { CapacityPlan, PlanMitigation, PlanPool, PlanVariant, QuotaRequest } from './load/index.ts'
export type { PlanOptions, ServiceQuotaInfo, Workload, WorkloadInput } from './plan/index.ts'
export { deriveSeed, Random } from './random.ts'
export { runScenario } from './load/index.ts'
export type { RetrySetting, RunOptions, RunProgress } from './load/index.ts'
export { ScenarioError } from './load/index.ts'
export type { DefineScenarioOptions } from './load/index.ts'
export type { MitigationSpec, Scenario, ScenarioInput } from './load/index.ts'
export { constantRate, poissonArrivals, rampRate, sineRate, spikeRate, stepRates, traceRates } from './load/index.ts'
export type { Schedule } from './load/index.ts'
export { parseRunSummary, SCHEMA_VERSION } from './load/index.ts'
export type { Repetition, RepetitionVariant, RunSummary, ThresholdResult, VariantSummary } from './load/index.ts'
export { embeddedTarget } from './load/index.ts'
export type { Target, TargetSession } from './load/index.ts'
export {
  DEFAULT_COMPARE_RULES,
  evaluateThresholds,
  METRICS,
  parseCompareRule,
  parseThreshold,
  resolveMetric,
  scenarioThresholds,
  ThresholdError,
} from './load/index.ts'
export type {
  CompareRule,
  ComparisonOperator,
  Metric,
  MetricContext,
  RelativeBound,
  Threshold,
} from './load/index.ts'
export { parseRateTrace } from './load/index.ts'
export type { RequestContext } from './load/index.ts'
export { accountSharding } from './mitigations/account-sharding.ts'
export type { AccountShardingOptions } from './mitigations/account-sharding.ts'
export { AdaptiveLimiter } from './load/index.ts'
export { BUILT_IN_MITIGATIONS } from './mitigations/index.ts'
export {
  dataKeyCache,
  DEFAULT_CACHE_CAPACITY,
  MAX_BYTES_PER_CACHED_KEY,
  MAX_MESSAGES_PER_CACHED_KEY,
} from './mitigations/data-key-cache.ts'
export type { DataKeyCacheOptions } from './mitigations/data-key-cache.ts'
export { dataKeyPool } from './mitigations/data-key-pool.ts'
export type { DataKeyPoolOptions } from './mitigations/data-key-pool.ts'
export { DEFAULT_ESDK_SUITE, ESDK_SUITES } from './mitigations/esdk-suites.ts'
export type { EsdkSuite } from './mitigations/esdk-suites.ts'
export { multiRegion } from './mitigations/multi-region.ts'
export type { MultiRegionOptions } from './mitigations/multi-region.ts'
export { MitigationConfigError } from './mitigations/params.ts'
export { quotaIncrease } from './mitigations/quota-increase.ts'
export type { QuotaIncreaseOptions } from './mitigations/quota-increase.ts'
export { sdkRetry } from './load/index.ts'
export type { RetryMode, SdkRetryOptions } from './load/index.ts'
export { DEFAULT_BUCKET_KEY_LIFETIME_SECONDS, s3BucketKeys } from './mitigations/s3-bucket-keys.ts'
export type { S3BucketKeysOptions } from './mitigations/s3-bucket-keys.ts'
export { increaseCommand, serviceQuotaOf } from './mitigations/service-quotas.ts'
export type { ServiceQuota } from './mitigations/service-quotas.ts'
export { COALESCIBLE_OPERATIONS, singleFlight } from './mitigations/single-flight.ts'
export type { CoalescibleOperation, SingleFlightOptions } from './mitigations/single-flight.ts'
export { STORM_TRACKING_DEFAULTS, stormTrackingCache } from './mitigations/storm-tracking-cache.ts'
export { DYNAMODB_PRICES, hierarchicalKeyring } from './mitigations/hierarchical-keyring.ts'
export type { HierarchicalKeyringOptions } from './mitigations/hierarchical-keyring.ts'
export type { StormTrackingCacheOptions } from './mitigations/storm-tracking-cache.ts'
export {
  BUILT_IN_PROFILES,
  DEFAULT_HOT_KEY_PER_SECOND,
  DEFAULT_RETENTION_SECONDS,
  parseProfile,
  profileNames,
  QuotaConfigError,
} from './quota/index.ts'
export type {
  PoolUsage,
  QuotaMode,
  QuotaOptions,
  QuotaProfile,
  QuotaProfileInput,
  QuotaUsage,
  UsageSecond,
} from './quota/index.ts'
export { compareSummaries, ComparisonError, renderComparisonMarkdown } from './report/compare.ts'
export type {
  CompareLabels,
  CompareOptions,
  Comparison,
  DiffRow,
  RuleOutcome,
  VariantComparison,
} from './report/compare.ts'
export {
  bencherMetrics,
  customSmallerIsBetter,
  renderBencherJson,
  renderCustomSmallerIsBetterJson,
} from './report/exports.ts'
export type { BencherMetric, BencherMetricFormat, CustomBenchmarkEntry } from './report/exports.ts'
export { exactGate, mannWhitneyU, statisticalGate } from './report/gates.ts'
export type { GateOutcome, MannWhitneyResult } from './report/gates.ts'
export { renderHgrm, renderVariantHgrm, variantFileNames } from './report/hgrm.ts'
export { renderHtml } from './report/html.ts'
export type { HtmlOptions } from './report/html.ts'
export { renderJunitXml } from './report/junit.ts'
export { renderMarkdown } from './report/markdown.ts'
export type { MarkdownOptions } from './report/markdown.ts'
export { renderPlanHtml } from './report/plan-html.ts'
export { renderPlanMarkdown } from './report/plan-markdown.ts'
export { rankVariants, RANKING_METHOD } from './report/rank.ts'
export type { RankedVariant, Ranking, RankTier } from './report/rank.ts'
export { renderTimelineCsv } from './report/timeline-csv.ts'
export {
  applySeed,
  CredentialStore,
  DEFAULT_PORT,
  parseCredentialsFile,
  parseSeed,
  startKmsServer,
  StatePersistence,
} from './server/index.ts'
export type { AuthMode, KmsServer, KmsServerOptions, Seed } from './server/index.ts'

/**
 * Validates a scenario (see the scenario reference) with kms-bench's built-in mitigations as the
 * table a variant may name declaratively (`{ name: 'data-key-cache', maxAge: '5m' }`). Pass
 * `{ mitigations: { ...BUILT_IN_MITIGATIONS, 'my-cache': myCache } }` to name your own as well.
 */
export function defineScenario(input: ScenarioInput, options: DefineScenarioOptions = {}): Scenario {
  return defineScenarioWith(input, { mitigations: BUILT_IN_MITIGATIONS, ...options })
}
