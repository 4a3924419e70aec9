/**
 * The scenario DSL: the zod schema of scenario files, `defineScenario`, and the leaf contract
 * types (the effect protocol, the mitigation interface, hosts and keys) that mitigations, the
 * engine and the targets are written against.
 */
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
export { scenarioSchema, scenarioSchemaFor } from './schema.ts'
export type {
  ContextSpec,
  KeySpecDecl,
  LatencySetting,
  MitigationSpec,
  RequestSpec,
  Scenario,
  ScenarioInput,
  SizeSpec,
  StepSpec,
  VariantSpec,
} from './schema.ts'
export type {
  CallMeta,
  ClientRetryConfig,
  Effect,
  EffectGenerator,
  Host,
  KmsCallSpec,
  KmsErrorLike,
  KmsInvoker,
  KmsOutcome,
  Mitigation,
  MitigationContext,
  MitigationFactory,
  MitigationProblem,
  MitigationResult,
  MitigationRun,
  MitigationTable,
  RequestContext,
  ResolvedKey,
  S3CallMeta,
  Settling,
  SetupKms,
  SleepEffect,
  SyncKms,
  TargetKind,
  WaitEffect,
} from './types.ts'
