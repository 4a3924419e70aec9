/**
 * The scenario DSL: the zod schema of scenario files, `defineScenario`, and the leaf contract
 * types (the effect protocol, the mitigation interface, hosts and keys) that mitigations, the
 * engine and the targets are written against.
 */
export {
  clientSchema,
  DEFAULT_MODE,
  groupProblems,
  hostGroupSchema,
  isSdkName,
  SDK_NAMES,
  sdkModes,
} from './client-schema.ts'
export type {
  ClientRetrySetting,
  ClientSpec,
  HostGroupClient,
  HostGroupSpec,
  SdkName,
  SdkRetryMode,
} from './client-schema.ts'
export { defineScenario, formatIssues, isScenario, ScenarioError, scenarioSeconds } from './define.ts'
export type { DefineScenarioOptions } from './define.ts'
export { loadScenarioFile, ScenarioFileError, traceFileReader } from './load-file.ts'
export { withMaxAttempts } from './max-attempts.ts'
export { DurationFormatError, formatDuration, parseDuration } from './duration.ts'
export {
  AWS_LATENCY_SPEC,
  createLatencyModel,
  describeKeyStoreTerm,
  inverseNormal,
  LatencySpecError,
  NO_LATENCY_SPEC,
  parseLatencySpec,
  specSchema,
} from './latency-model.ts'
export type {
  LatencyDistribution,
  LatencyModel,
  LatencySpec,
  LatencyTail,
  SampleOptions,
  UniformRandom,
} from './latency-model.ts'
export {
  isMitigation,
  mitigationFactory,
  mitigationNames,
  mitigationTable,
  NO_MITIGATIONS,
} from './mitigation-table.ts'
export type {
  CallMeta,
  Effect,
  EffectGenerator,
  Host,
  KmsCallSpec,
  KmsErrorLike,
  KmsInvoker,
  KmsOutcome,
  RequestContext,
  ResolvedKey,
  S3CallMeta,
  Settling,
  SleepEffect,
  SyncKms,
  WaitEffect,
} from './protocol.ts'
export { KEY_SPECS } from './requests.ts'
export type { ContextSpec, RequestSpec, SizeSpec, StepSpec } from './requests.ts'
export { scenarioSchema, scenarioSchemaFor } from './scenario-schema.ts'
export type {
  KeySpecDecl,
  LatencySetting,
  MitigationSpec,
  Scenario,
  ScenarioInput,
  VariantSpec,
} from './scenario-schema.ts'
export type {
  ClientRetryConfig,
  Mitigation,
  MitigationContext,
  MitigationFactory,
  MitigationProblem,
  MitigationResult,
  MitigationRun,
  MitigationTable,
  SetupKms,
  TargetKind,
} from './types.ts'
