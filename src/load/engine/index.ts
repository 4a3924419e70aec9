/**
 * The load engine: the effect helpers, arrival schedules and streams, the workload compilers
 * (one per request kind) and the discrete-event engine that runs them in virtual or real time.
 */
export { ArrivalStream } from './arrivals.ts'
export type { Arrivals, ArrivalStreamOptions } from './arrivals.ts'
export { compileWorkload } from './compile.ts'
export {
  callKms,
  directKms,
  FAILED,
  Flight,
  isContinuation,
  isThrottled,
  kmsCall,
  operationIndex,
  outcomeCode,
  sleep,
  SUCCEEDED,
  THROTTLED_OUTCOME,
  wait,
  withCaller,
  withInput,
} from './effects.ts'
export type { OutcomeCode } from './effects.ts'
export { DEFAULT_DRAIN_MS, Engine } from './engine.ts'
export type { AbandonCause, AsyncKms, EngineOptions, Progress, RealTimeOptions } from './engine.ts'
export { compileCustom } from './kind-custom.ts'
export { compileDecrypt } from './kind-decrypt.ts'
export { compileDynamodb, TABLE_KEY_CACHE_MS } from './kind-dynamodb.ts'
export { compileEbs } from './kind-ebs.ts'
export { compileEnvelope } from './kind-envelope.ts'
export { compileLambda } from './kind-lambda.ts'
export { compileOp } from './kind-op.ts'
export { compileReplay } from './kind-replay.ts'
export { compileS3 } from './kind-s3.ts'
export { compileSecretsManager, SECRET_CACHE_TTL_SECONDS } from './kind-secrets-manager.ts'
export { compileSequence } from './kind-sequence.ts'
export { compileSqs } from './kind-sqs.ts'
export { mergedArrivals } from './own-arrivals.ts'
export { callThrough, HostEnvironments, ServiceCache } from './service-cache.ts'
export type { ReusePolicy, ServiceCacheStats } from './service-cache.ts'
export {
  dynamodbContext,
  dynamodbTableName,
  ebsVolumeId,
  lambdaContext,
  secretContext,
  sqsContext,
  sqsQueueArn,
} from './service-names.ts'
export { OP_RECIPES, supportedAdHocOperations } from './op-inputs.ts'
export type { FixtureKind, KeyNeed, OpRecipe } from './op-inputs.ts'
export {
  isReplayable,
  parseReplayTable,
  renderReplayTable,
  REPLAY_FIXTURE_CONTEXTS,
  ReplayCalls,
  replayContext,
  replayFixtureNeeds,
  replayKeyNeed,
  ReplayTableError,
} from './replay.ts'
export type { ReplayEnv, ReplayFixtureNeed, ReplayRow } from './replay.ts'
export {
  compileShape,
  constantRate,
  poissonArrivals,
  rampRate,
  ScheduleError,
  sineRate,
  spikeRate,
  stepRates,
  traceRates,
} from './schedule.ts'
export type {
  ArrivalProcess,
  ConstantSchedule,
  PoissonSchedule,
  RampSchedule,
  RateShape,
  Schedule,
  SineSchedule,
  SpikeSchedule,
  StepsSchedule,
  TraceSchedule,
} from './schedule.ts'
export { parseRateTrace, RateTraceError } from './trace-csv.ts'
export type { RateTraceOptions } from './trace-csv.ts'
export {
  accountOf,
  CallerCache,
  ContextTable,
  decryptInput,
  keyIdFor,
  localAesGcm,
  payloadOf,
  planFixtures,
  scenarioPrincipals,
  sizeSampler,
  SpecCache,
  tenantCount,
} from './workload.ts'
export type {
  CompiledKind,
  FixtureNeed,
  FixtureStore,
  HostState,
  KindContext,
  Workload,
  WorkloadOptions,
} from './workload.ts'
