/**
 * The mitigation interface. A mitigation changes how many KMS calls an application request
 * costs (data-key caching, S3 Bucket Keys, single-flight, a prefetched data-key pool,
 * multi-Region spreading, account sharding, client retries...). It is built by a factory in
 * a scenario file (`mitigations: [dataKeyCache({ maxAge: '5m' })]`), and started once per
 * variant run: {@link Mitigation.start} returns the run's state, which wraps the KMS invoker
 * of every application host (one state per host is the norm: real fleets do not share
 * caches), may create resources before the run, may run background processes during it,
 * and reports what it did.
 *
 * Invokers are generators of effects (see `effects.ts`), so a mitigation written once runs
 * in virtual and in real time.
 */
import type { Clock } from '../clock.ts'
import type { CallerInput } from '../kms/caller.ts'
import type { OperationInputs, OperationName, OperationOutputs } from '../kms/model.generated.ts'
import type { EffectGenerator, KmsInvoker } from './effects.ts'
import type { Random } from './random.ts'
import type { Exposure } from './summary.ts'

/** One application host of the fleet: its own SDK client, its own caches. */
export interface Host {
  /** 0-based position in the fleet (global across shards) */
  readonly index: number
  /** `host-<index>` */
  readonly id: string
  /** the host's own identity: account, Region and principal its calls are made with */
  readonly caller: CallerInput
  readonly account: string
  readonly region: string
  readonly principal: string
  /** a seeded random stream of this host (same in every variant) */
  readonly random: Random
  /** the run's clock, in epoch ms (virtual or real) */
  now(): number
}

/** A KMS key the scenario (or a mitigation's setup) created, as the run refers to it. */
export interface ResolvedKey {
  /** the scenario's name for it */
  readonly name: string
  readonly keyId: string
  readonly arn: string
  readonly account: string
  readonly region: string
  /** `SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256`, ... */
  readonly keySpec: string
  /** `alias/...` when the scenario gave one */
  readonly alias?: string
  /** `CUSTOMER` or `AWS` (AWS managed keys are not billed) */
  readonly manager: 'CUSTOMER' | 'AWS'
}

/** Where the run's KMS calls go. */
export type TargetKind = 'embedded' | 'endpoint' | 'aws'

/** What a mitigation can see when a variant run starts. */
export interface MitigationContext {
  readonly clock: Clock
  /** a seeded stream for this mitigation in this variant */
  readonly random: Random
  readonly target: TargetKind
  readonly variant: string
  /** hosts in the whole fleet (this shard runs a subset) */
  readonly hosts: number
  readonly durationSeconds: number
  /** the scenario's default Region */
  readonly region: string
  /** accounts the scenario declares */
  readonly accounts: readonly string[]
  /** the scenario's keys, by name */
  readonly keys: ReadonlyMap<string, ResolvedKey>
}

/**
 * KMS calls made before the run starts (creating replicas, keys in extra accounts, ...).
 * They do not count in the results. On the embedded target they bypass the quota gate (the
 * resources exist before the measured run); on endpoints they go through an SDK client that
 * retries throttles. Keys created here are billed and, on `--target aws`, scheduled for deletion.
 */
export interface SetupKms {
  call<Op extends OperationName>(operation: Op, input: OperationInputs[Op], caller?: CallerInput): Promise<OperationOutputs[Op]>
}

/** A mitigation's state for one variant run. */
export interface MitigationRun {
  /** Creates what the mitigation needs before the run (awaited before the first arrival). */
  setup?(kms: SetupKms): Promise<void>
  /**
   * Wraps the invoker of one host. Called once per host, innermost mitigation first;
   * the client retry layer is always the innermost (the SDK retries each call).
   */
  wrap(next: KmsInvoker, host: Host): KmsInvoker
  /**
   * A background process of one host (e.g. a loop refilling a data-key pool), started at the
   * run's start and dropped once every application request has completed. Its KMS calls
   * are counted; it is not an application request. Called after {@link wrap} for the host.
   */
  background?(host: Host): EffectGenerator<void> | undefined
  /** Counters it kept (cache hits, misses, evictions...), reported per variant. */
  stats?(): Record<string, number>
  /** Security exposure it causes (merged with the others: maxima, sums of keys in memory). */
  exposure?(): Partial<Exposure>
  /** Extra keys it created that AWS bills (replicas, keys in extra accounts). @default 0 */
  billedKeys?(): number
  /** Assumptions found while running (in addition to the mitigation's own). */
  assumptions?(): string[]
}

/** Client retry settings (the AWS SDK's `retryMode` and `maxAttempts`). */
export interface ClientRetryConfig {
  readonly mode: 'standard' | 'adaptive'
  /** attempts including the first; the SDK's default is 3 */
  readonly maxAttempts: number
}

/** A mitigation as a scenario's variant names it. */
export interface Mitigation {
  /** e.g. `data-key-cache`, `s3-bucket-keys`, `sdk-retry` */
  readonly name: string
  /** its settings, as reported */
  readonly params: Readonly<Record<string, unknown>>
  /** statements its results depend on that AWS does not publish */
  readonly assumptions?: readonly string[]
  /**
   * Set only by the client retry layer: on endpoint targets the real AWS SDK client does the
   * retrying with these settings (and {@link start} is not used there).
   */
  readonly clientRetry?: ClientRetryConfig
  /** Starts the mitigation for one variant run. */
  start(ctx: MitigationContext): MitigationRun
}

/** Type guard for scenario validation: something shaped like a {@link Mitigation}. */
export function isMitigation(value: unknown): value is Mitigation {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Mitigation).name === 'string' &&
    typeof (value as Mitigation).start === 'function' &&
    typeof (value as Mitigation).params === 'object'
  )
}
