/**
 * Results: the summary.json schema, HDR histograms, the per-variant recorder and summary,
 * exact merging of shard results, thresholds (gates), and the capacity-plan shape.
 */
export type { CapacityPlan, PlanMitigation, PlanPool, PlanVariant, QuotaRequest } from './capacity-plan.ts'
export {
  decodeHistogram,
  encodeHistogram,
  initHistograms,
  LatencyRecorder,
  latencyStats,
  newHistogram,
  newMergeHistogram,
  toMicros,
} from './histograms.ts'
export {
  attributedRecord,
  Attribution,
  type AttributionSource,
  type Attributed,
  callerName,
} from './attribution.ts'
export {
  alarmInForce,
  type CloudWatchView,
  cloudWatchView,
  DEFAULT_USAGE_ALARM,
  type UsageAlarm,
  type UsageSeries,
  usageResource,
} from './cloudwatch.ts'
export { GroupTally } from './group-results.ts'
export { MergeError, mergeSummaries } from './merge.ts'
export { VariantRecorder } from './recorder.ts'
export type { RecorderOptions } from './recorder.ts'
export {
  BillingSchema,
  CostSchema,
  ExposureSchema,
  LatencyStatsSchema,
  MitigationSummarySchema,
  OutcomeLatencySchema,
  parseRunSummary,
  QuotaPoolUsageSchema,
  RepetitionSchema,
  RepetitionVariantSchema,
  RunSummarySchema,
  SCHEMA_VERSION,
  SummaryFormatError,
  ThresholdResultSchema,
  TimelineEntrySchema,
  VariantSummarySchema,
} from './summary.ts'
export type {
  Billing,
  Cost,
  Exposure,
  LatencyStats,
  MitigationSummary,
  OutcomeLatency,
  QuotaPoolUsage,
  Repetition,
  RepetitionVariant,
  RunSummary,
  ThresholdResult,
  TimelineEntry,
  VariantSummary,
} from './summary.ts'
export {
  checkThresholdVariants,
  DEFAULT_COMPARE_RULES,
  evaluateThresholds,
  holds,
  METRICS,
  parseCompareRule,
  parseThreshold,
  parseThresholdNumber,
  resolveMetric,
  scenarioThresholds,
  ThresholdError,
} from './thresholds.ts'
export type {
  CompareRule,
  ComparisonOperator,
  Metric,
  MetricContext,
  MetricSource,
  RelativeBound,
  Threshold,
} from './thresholds.ts'
export { atFullSize, buildVariantSummary, costOf, emptyEntry, mergeExposure } from './variant-summary.ts'
export type { MitigationReport, VariantSummaryInput } from './variant-summary.ts'
