/**
 * `summary.json`: the result of a run. Plain, versioned, mergeable JSON (DESIGN.md, "Run
 * output"); every report is rendered from it alone, so `kms-bench report` can re-render a
 * saved result and `kms-bench merge` can combine shards exactly (histograms are HDR,
 * compressed base64, integer microseconds).
 *
 * Two levels are counted apart: application requests (an S3 PUT, "encrypt this record") and
 * the KMS calls they cost (0..n, depending on the mitigation).
 */
import { z } from 'zod'

/** The schema version this build writes and reads. Bump on an incompatible change. */
export const SCHEMA_VERSION = 1

const num = z.number().finite()
const count = z.number().int().nonnegative()

/** Latency percentiles in milliseconds (from the histogram; 0 when there were no samples). */
export const LatencyStatsSchema = z.object({
  p50: num,
  p90: num,
  p99: num,
  p999: num,
  max: num,
  mean: num,
  count: count,
})
export type LatencyStats = z.infer<typeof LatencyStatsSchema>

/** One outcome class's latency (succeeded / throttled / failed kept apart). */
export const OutcomeLatencySchema = z.object({
  latencyMs: LatencyStatsSchema,
  /** HDR histogram, compressed base64, integer microseconds. */
  histogram: z.string(),
})
export type OutcomeLatency = z.infer<typeof OutcomeLatencySchema>

/** One quota pool of one account × Region, as the run used it (like CloudWatch AWS/Usage). */
export const QuotaPoolUsageSchema = z.object({
  /** e.g. `symmetric`, `rsa`, `api:CreateKey`, `custom-key-store:cks-1`, `key-pair:RSA_2048` */
  pool: z.string(),
  account: z.string(),
  region: z.string(),
  /** requests/s (after --scale) */
  limit: num,
  accepted: count,
  throttled: count,
  /** highest accepted + throttled in any one-second window */
  peakPerSecond: num,
  /** peak offered to the pool / limit */
  utilization: num,
  /** seconds in which at least one call was throttled */
  throttledSeconds: count,
})
export type QuotaPoolUsage = z.infer<typeof QuotaPoolUsageSchema>

/** Per-second counters of one variant. `second` counts from the start of the run. */
export const TimelineEntrySchema = z.object({
  second: count,
  /** application requests scheduled in this second */
  offered: count,
  /** application requests actually sent in this second */
  achieved: count,
  succeeded: count,
  throttled: count,
  failed: count,
  dropped: count,
  kmsCalls: count,
  kmsThrottled: count,
  /** KMS calls by operation in this second */
  kmsByOperation: z.record(z.string(), count),
  /** accepted calls per quota pool key `account/region/pool` in this second */
  poolAccepted: z.record(z.string(), count),
  p50Ms: num,
  p99Ms: num,
  /** sends made later than the lateness tolerance in this second (real-time runs) */
  late: count.optional(),
  /** requests that reached their deadline in this second */
  timedOut: count.optional(),
  /** throttled calls per quota pool key `account/region/pool` in this second */
  poolThrottled: z.record(z.string(), count).optional(),
  /** this second's latency histogram (shard results keep it so that merged p50/p99 are exact) */
  histogram: z.string().optional(),
})
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>

/** A mitigation as a variant ran it, with the parameters and the assumptions it made. */
export const MitigationSummarySchema = z.object({
  name: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** statements the result depends on that AWS does not publish (e.g. bucket key lifetime) */
  assumptions: z.array(z.string()),
  /** counters the mitigation kept (cache hits, misses, evictions, ...) */
  stats: z.record(z.string(), num),
  /** what the run showed, in sentences (e.g. the Service Quotas request a quota increase needs) */
  findings: z.array(z.string()).optional(),
})
export type MitigationSummary = z.infer<typeof MitigationSummarySchema>

/** Security exposure of a variant: how much one data key protects, how long, and where it sits. */
export const ExposureSchema = z.object({
  /** most messages protected by one data key (1 without caching) */
  maxMessagesPerDataKey: num,
  /** most bytes protected by one data key */
  maxBytesPerDataKey: num,
  /** longest time a data key was used, in seconds */
  maxSecondsPerDataKey: num,
  /** peak plaintext data keys held in application memory at once (all hosts) */
  plaintextKeysInMemory: num,
  /** principals that can use a shared bucket-level key (S3 Bucket Keys), if any */
  principalsPerBucketKey: num,
  /** free-text notes (e.g. "policies conditioned on the object ARN stop matching") */
  notes: z.array(z.string()),
})
export type Exposure = z.infer<typeof ExposureSchema>

/** Dollars, for the run and extrapolated to a month at the run's rate. */
export const CostSchema = z.object({
  requests: num,
  keys: num,
  total: num,
  monthly: z.object({ requests: num, keys: num, total: num }),
  /** keys billed (customer managed keys, replicas; AWS managed and owned are free) */
  billedKeys: count,
})
export type Cost = z.infer<typeof CostSchema>

/** The inputs of the cost estimate (kms/pricing.ts `estimateCost`). */
export const BillingSchema = z.object({
  symmetricRequests: count,
  asymmetricRequests: count,
  dataKeyPairRequests: count,
  keys: z.array(z.object({ rotations: count })),
})
export type Billing = z.infer<typeof BillingSchema>

/** One variant of a scenario: the same arrivals, its own mitigations and quotas. */
export const VariantSummarySchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  mitigations: z.array(MitigationSummarySchema),
  /** quota overrides this variant ran with (pool → requests/s, after --scale) */
  quotaOverrides: z.record(z.string(), num),
  offered: z.object({ requests: count, ratePerSecond: num }),
  achieved: z.object({ requests: count, ratePerSecond: num, late: count.optional() }),
  /**
   * How every offered application request ended. `throttled`: a KMS call was still throttled
   * after the client's retries; `failed`: another error (its AWS code in `errors`); `timedOut`:
   * the request's deadline passed first (its retries and waits stopped there); `dropped`: it
   * could not be sent (in-flight limit, too far behind schedule). `errors` counts every
   * non-success by AWS error code or cause (`ThrottlingException`, `TimedOut`, `Dropped`, ...).
   */
  completed: z.object({
    succeeded: count,
    failed: count,
    dropped: count,
    throttled: count,
    timedOut: count.default(0),
    errors: z.record(z.string(), count).default({}),
  }),
  kms: z.object({
    calls: count,
    throttled: count,
    failed: count,
    /** KMS calls per offered application request */
    callsPerRequest: num,
    byOperation: z.record(z.string(), z.object({ calls: count, throttled: count, failed: count })),
    /** calls per principal ARN, or per AWS service acting for one (`s3.amazonaws.com`) */
    byCaller: z.record(z.string(), z.object({ calls: count, throttled: count })).optional(),
    /** calls per account charged (the caller's account, also for cross-account calls) */
    byAccount: z.record(z.string(), z.object({ calls: count, throttled: count })).optional(),
    /** calls per scenario key */
    byKey: z.record(z.string(), z.object({ calls: count, throttled: count })).optional(),
    /**
     * where the attribution comes from (results/attribution.ts `AttributionSource`): the
     * embedded emulator's call path, or the load client against an endpoint
     */
    byCallerSource: z.enum(['emulator', 'client', 'client-credentials']).optional(),
  }),
  /** KMS-call retries made by the client retry strategy */
  retries: count,
  /** throttled application requests / offered application requests */
  throttleRate: num,
  /** every completed application request, from its intended send time */
  latencyMs: LatencyStatsSchema,
  /** HDR histogram (compressed base64, integer µs) of every completed application request */
  histogram: z.string(),
  /** kept apart per outcome */
  outcomes: z.object({
    succeeded: OutcomeLatencySchema,
    throttled: OutcomeLatencySchema,
    failed: OutcomeLatencySchema,
    /** requests stopped at their deadline: latency = the deadline */
    timedOut: OutcomeLatencySchema.optional(),
  }),
  /**
   * Seconds of the schedule this variant ran (an interrupted run stops early); rates are over
   * this time. Absent when it ran the whole duration.
   */
  ranSeconds: num.optional(),
  /**
   * A scale model's figures as they ran (`--scale` < 1 on the embedded target): the top-level
   * counts, rates and `costUsd` are then at full size (divided by the scale).
   */
  asRun: z
    .object({
      scale: num,
      offered: z.object({ requests: count, ratePerSecond: num }),
      completed: z.object({ succeeded: count, throttled: count, failed: count, timedOut: count, dropped: count }),
      kms: z.object({
        calls: count,
        throttled: count,
        /** `kms.byCaller`, `byAccount`, `byKey` as run (the top-level ones are at full size) */
        byCaller: z.record(z.string(), z.object({ calls: count, throttled: count })).optional(),
        byAccount: z.record(z.string(), z.object({ calls: count, throttled: count })).optional(),
        byKey: z.record(z.string(), z.object({ calls: count, throttled: count })).optional(),
      }),
      retries: count,
      costUsd: z.object({
        requests: num,
        keys: num,
        total: num,
        monthly: z.object({ requests: num, keys: num, total: num }),
      }),
    })
    .optional(),
  /** service time of application requests, from the actual send */
  serviceTimeMs: LatencyStatsSchema,
  /** HDR histogram of the service times (compressed base64, integer µs), for exact merges */
  serviceTimeHistogram: z.string().optional(),
  /** what the cost was computed from, so merged shards are priced exactly (free tier once) */
  billing: BillingSchema.optional(),
  /** latency of individual KMS calls */
  kmsCallLatency: OutcomeLatencySchema,
  quota: z.array(QuotaPoolUsageSchema),
  costUsd: CostSchema,
  /**
   * Per host group of a mixed fleet (`fleet.groups`), in fleet order: the application requests
   * its hosts completed (dropped ones are not counted here), by outcome, and the latency of the
   * succeeded ones. Absent without groups.
   */
  groups: z
    .array(
      z.object({
        name: z.string(),
        hosts: count,
        requests: count,
        completed: z.object({ succeeded: count, throttled: count, failed: count, timedOut: count }),
        throttleRate: num,
        latencyMs: LatencyStatsSchema,
        histogram: z.string(),
      }),
    )
    .optional(),
  /**
   * DynamoDB requests a mitigation made beside the KMS calls (the hierarchical keyring's branch key
   * store), priced on demand: `costUsd.total` for the run (reads at full size, plus the setup's
   * writes), `costUsd.monthly` the reads at this rate for a 730-hour month.
   */
  dynamodb: z
    .object({
      getItem: count,
      transactWriteItems: count,
      readUnits: count,
      writeUnits: count,
      costUsd: z.object({ total: num, monthly: num }),
    })
    .optional(),
  exposure: ExposureSchema,
  timeline: z.array(TimelineEntrySchema),
  /** the CloudWatch view: AWS/Usage CallCount per minute per quota resource, and a usage alarm evaluated in run time (results/cloudwatch.ts) */
  cloudwatch: z
    .object({
      periodSeconds: z.literal(60),
      alarm: z.object({ percent: num, minutes: count }),
      series: z.array(
        z.object({
          account: z.string(),
          region: z.string(),
          pool: z.string(),
          resource: z.string(),
          limit: num,
          callCount: z.array(count),
          throttled: z.array(count),
          peakPerSecond: z.array(count),
          alarmMinutes: z.array(count),
          firedAtSecond: count.nullable(),
          silentThrottledSeconds: count,
          silentThrottledCalls: count,
        }),
      ),
    })
    .optional(),
})
export type VariantSummary = z.infer<typeof VariantSummarySchema>

/** A threshold (gate) and how it came out. */
export const ThresholdResultSchema = z.object({
  expression: z.string(),
  variant: z.string(),
  actual: num,
  passed: z.boolean(),
})
export type ThresholdResult = z.infer<typeof ThresholdResultSchema>

/**
 * One variant in one repetition of a repeated run (`kms-bench run --runs N`): every figure of
 * the variant summary but the histograms and the timeline, which only the top-level result keeps.
 */
export const RepetitionVariantSchema = VariantSummarySchema.omit({
  histogram: true,
  serviceTimeHistogram: true,
  timeline: true,
})
export type RepetitionVariant = z.infer<typeof RepetitionVariantSchema>

/**
 * One repetition of a repeated real-time run: the samples `kms-bench compare` runs its
 * statistical test on (per-run p99, throughput, ...), so that noise alone never fails a gate.
 */
export const RepetitionSchema = z.object({
  /** 1-based */
  index: z.number().int().positive(),
  startedAt: z.string(),
  durationSeconds: num,
  complete: z.boolean(),
  variants: z.array(RepetitionVariantSchema),
})
export type Repetition = z.infer<typeof RepetitionSchema>

/** The whole `summary.json`. */
export const RunSummarySchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('kms-bench'), version: z.string() }),
  scenario: z.string(),
  description: z.string().optional(),
  /** `embedded`, an endpoint URL, or `aws` */
  target: z.string(),
  clock: z.enum(['virtual', 'real']),
  seed: z.number().int(),
  durationSeconds: num,
  region: z.string(),
  /** --scale factor: 1 = full size; reports say when a scale model ran */
  scale: num,
  /** the arrival schedule, in words (e.g. `constant 2000/s`) */
  schedule: z.string().optional(),
  /** shards this result covers (`{ index, count }` each); one entry per merged shard */
  shards: z.array(z.object({ index: count, count: z.number().int().positive() })),
  /** false when the run was interrupted (SIGINT) or failed part-way */
  complete: z.boolean(),
  /** ISO time the run started (virtual runs: the virtual clock's start) */
  startedAt: z.string(),
  environment: z.object({
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
    cpus: count,
    /** versions of @aws-sdk/client-kms, every @smithy/* package, hdr-histogram-js, ... */
    packages: z.record(z.string(), z.string()),
  }),
  /** statements the results depend on that AWS does not publish */
  assumptions: z.array(z.string()),
  /** the service-time model of KMS calls (`aws`, `none`, or a file's name); absent in older results */
  latencyModel: z.string().optional(),
  /** request deadlines: the default and per request kind (ms), and where the default comes from */
  deadline: z.object({ ms: num, byRequest: z.record(z.string(), num).optional(), source: z.string() }).optional(),
  /**
   * Against an endpoint, the quotas are the endpoint's own; `quotaOverrides` of a variant are
   * then only those actually applied (through `kms-bench serve`'s admin route).
   */
  quotasApplied: z.enum(['embedded', 'endpoint-admin', 'endpoint-own']).optional(),
  thresholds: z.array(ThresholdResultSchema),
  /**
   * Repeated real-time runs (`run --runs N`): the figures of every repetition. The top-level
   * variants are then those of the median repetition (by the first variant's p99).
   */
  runs: z.array(RepetitionSchema).optional(),
  variants: z.array(VariantSummarySchema).min(1),
})
export type RunSummary = z.infer<typeof RunSummarySchema>

/** Why a file is not a summary this build can read; one clear sentence. */
export class SummaryFormatError extends Error {
  override readonly name = 'SummaryFormatError'
}

/**
 * Validates parsed JSON as a {@link RunSummary}. Throws {@link SummaryFormatError} naming
 * the first problems (with their paths) or an unknown schemaVersion.
 */
export function parseRunSummary(json: unknown, source = 'summary'): RunSummary {
  if (json !== null && typeof json === 'object' && 'schemaVersion' in json) {
    const v = (json as { schemaVersion: unknown }).schemaVersion
    if (v !== SCHEMA_VERSION) {
      throw new SummaryFormatError(
        `${source}: schemaVersion ${JSON.stringify(v)} is not supported by this build (it reads ${SCHEMA_VERSION})`,
      )
    }
  }
  const r = RunSummarySchema.safeParse(json)
  if (!r.success) {
    const problems = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new SummaryFormatError(`${source} is not a kms-bench result: ${problems.join('; ')}`)
  }
  return r.data
}
