/**
 * kms-bench's public library API: what a user of the library needs, nothing of the internals.
 *
 * - the emulator (`createEmulator`), its clocks, quota profiles, errors, pricing and snapshots;
 * - the scenario DSL (`defineScenario`, its types, the effect helpers of custom requests) and
 *   the mitigation interface, for writing scenarios and mitigations of one's own;
 * - the built-in mitigations, their factories and the read-only table they are named in;
 * - running (`runScenario`, targets), merging (`mergeSummaries`), comparing (`compareSummaries`,
 *   thresholds, ranking) and rendering results, and the summary types;
 * - the KMS endpoint, to embed it (`startKmsServer`);
 * - a generator of CloudTrail KMS records (`generateKmsTrail`), to test an import pipeline with.
 *
 * Explicit named exports only; `test/public-api.test.ts` pins the list of runtime exports.
 */
import {
  type DefineScenarioOptions,
  defineScenario as defineScenarioWith,
  type Scenario,
  type ScenarioInput,
} from './load/index.ts'
import { BUILT_IN_MITIGATIONS } from './mitigations/index.ts'

// The emulator and its clocks.
export { SystemClock, VIRTUAL_EPOCH_MS, VirtualClock } from './clock.ts'
export type { Clock, TimerHandle } from './clock.ts'
export { createEmulator } from './emulator.ts'
export type { CallResult, Emulator, EmulatorOptions } from './emulator.ts'
export {
  estimateCost,
  KmsError,
  KMS_PRICES,
  OPERATION_NAMES,
  restoreSnapshot,
  SnapshotError,
  takeSnapshot,
} from './kms/index.ts'
export type {
  AuditEvent,
  AuditOptions,
  Caller,
  CallerInput,
  CostEstimate,
  CostFigures,
  CostInput,
  KeyCostInput,
  KmsPrices,
  KmsSnapshot,
  OperationInputs,
  OperationName,
  OperationOutputs,
} from './kms/index.ts'
export { BUILT_IN_PROFILES, parseProfile, profileNames, QuotaConfigError } from './quota/index.ts'
export type {
  PoolUsage,
  QuotaMode,
  QuotaOptions,
  QuotaProfile,
  QuotaProfileInput,
  QuotaUsage,
  UsageSecond,
} from './quota/index.ts'

// The scenario DSL, the effect protocol and the mitigation interface.
export {
  AWS_LATENCY_SPEC,
  createLatencyModel,
  isThrottled,
  kmsCall,
  LatencySpecError,
  mitigationTable,
  NO_MITIGATIONS,
  parseLatencySpec,
  ScenarioError,
  sleep,
  wait,
  withCaller,
  withInput,
} from './load/index.ts'
export type {
  CallMeta,
  ClientRetryConfig,
  DefineScenarioOptions,
  Effect,
  EffectGenerator,
  Host,
  KmsCallSpec,
  KmsErrorLike,
  KmsInvoker,
  KmsOutcome,
  LatencyModel,
  LatencySpec,
  Mitigation,
  MitigationContext,
  MitigationFactory,
  MitigationProblem,
  MitigationResult,
  MitigationRun,
  MitigationSpec,
  MitigationTable,
  RequestContext,
  ResolvedKey,
  S3CallMeta,
  Scenario,
  ScenarioInput,
  SetupKms,
  SleepEffect,
  SyncKms,
  TargetKind,
  WaitEffect,
} from './load/index.ts'

// The built-in mitigations.
export {
  accountSharding,
  BUILT_IN_MITIGATIONS,
  dataKeyCache,
  dataKeyPool,
  hierarchicalKeyring,
  MitigationConfigError,
  multiRegion,
  quotaIncrease,
  s3BucketKeys,
  singleFlight,
  stormTrackingCache,
} from './mitigations/index.ts'
export type {
  AccountShardingOptions,
  DataKeyCacheOptions,
  DataKeyPoolOptions,
  HierarchicalKeyringOptions,
  MultiRegionOptions,
  QuotaIncreaseOptions,
  S3BucketKeysOptions,
  SingleFlightOptions,
  StormTrackingCacheOptions,
} from './mitigations/index.ts'
export { sdkRetry } from './load/index.ts'
export type { RetryMode, SdkRetryOptions } from './load/index.ts'

// Running, merging and judging runs; the results.
export {
  DEFAULT_COMPARE_RULES,
  embeddedTarget,
  endpointTarget,
  evaluateThresholds,
  MergeError,
  mergeSummaries,
  parseCompareRule,
  parseRunSummary,
  parseThreshold,
  RunError,
  runParallel,
  runScenario,
  SCHEMA_VERSION,
  scenarioThresholds,
  SummaryFormatError,
  ThresholdError,
} from './load/index.ts'
export type {
  CompareRule,
  ComparisonOperator,
  EndpointTargetOptions,
  ModuleExport,
  ParallelOptions,
  ParallelRun,
  RelativeBound,
  Repetition,
  RepetitionVariant,
  RetrySetting,
  RunOptions,
  RunProgress,
  RunSummary,
  ScenarioSource,
  Target,
  TargetSession,
  TargetSpec,
  Threshold,
  ThresholdResult,
  VariantSummary,
  WorkerRunOptions,
} from './load/index.ts'
export {
  compareSummaries,
  ComparisonError,
  RANKING_METHOD,
  rankVariants,
  renderComparisonMarkdown,
  renderHtml,
  renderJunitXml,
  renderMarkdown,
} from './report/index.ts'
export type {
  CompareLabels,
  CompareOptions,
  Comparison,
  DiffRow,
  HtmlOptions,
  MarkdownOptions,
  RankedVariant,
  Ranking,
  RankTier,
  RuleOutcome,
  VariantComparison,
} from './report/index.ts'

// Realistic CloudTrail KMS records, to test an import pipeline (`kms-bench import-cloudtrail`) with.
export { generateKmsTrail, packTrailFiles } from './traffic/index.ts'
export type { TrailActor, TrailGeneratorOptions } from './traffic/index.ts'

// The KMS endpoint, to embed.
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
