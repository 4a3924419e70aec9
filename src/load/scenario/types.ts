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
 * Invokers are generators of effects (the protocol below; its helpers are in `engine/effects.ts`),
 * so a mitigation written once runs in virtual and in real time.
 *
 * This file is the scenario module's leaf: the contract types that scenario files, mitigations,
 * the engine and the targets share. It imports types only, from modules below.
 */
import type { Clock } from '../../clock.ts'
import type { CallerInput, OperationInputs, OperationName, OperationOutputs } from '../../kms/index.ts'
import type { QuotaUsage } from '../../quota/index.ts'
import type { Random } from '../../random.ts'
import type { Exposure } from '../results/index.ts'
import type { EffectGenerator, Host, KmsInvoker, ResolvedKey } from './protocol.ts'
import type { RequestSpec } from './requests.ts'

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
  /** the scenario's principals (host i uses principal i mod n) */
  readonly principals?: readonly string[]
  /** the scenario's request kinds (e.g. the buckets and keys of S3 requests) */
  readonly requests?: readonly RequestSpec[]
  /** the run's `--scale` factor: rates a mitigation sets (a refill rate) are multiplied by it, as quotas are. @default 1 */
  readonly scale?: number
  /**
   * Whether the application's own local crypto is executed: true in real time, where its
   * results feed the payload encryption; false in virtual time, where the payload crypto is
   * modelled and nothing reads what local crypto makes (a mitigation may then model its own,
   * e.g. the Hierarchical keyring's wrapping of data keys). KMS calls are real either way.
   * @default true
   */
  readonly localCrypto?: boolean
}

/**
 * KMS calls made before the run starts (creating replicas, keys in extra accounts, ...).
 * They do not count in the results. On the embedded target they bypass the quota gate (the
 * resources exist before the measured run); on endpoints they go through an SDK client that
 * retries throttles. Keys created here are billed and, on `--target aws`, scheduled for deletion.
 */
export interface SetupKms {
  call<Op extends OperationName>(
    operation: Op,
    input: OperationInputs[Op],
    caller?: CallerInput,
  ): Promise<OperationOutputs[Op]>
  /**
   * Attaches an IAM identity policy to a principal, where the target models IAM (embedded);
   * absent on endpoints, which authorize on their own terms.
   */
  putIdentityPolicy?(principal: string, policyName: string, documentJson: string): void
}

/** What a variant run measured, for {@link MitigationRun.finish}. */
export interface MitigationResult {
  /** quota usage of the run (per pool of each account × Region), when the target can tell */
  readonly usage: QuotaUsage | undefined
  /**
   * The limit of a pool without this variant's overrides (the profile's value with the
   * scenario's overrides, scaled like the run), `undefined` when the pool has no quota.
   */
  defaultLimit(region: string, pool: string): number | undefined
  /**
   * What the run multiplied every quota by (`--scale` × 1/shards): divide a measured rate by it
   * for the full-size figure. @default 1
   */
  readonly quotaScale?: number
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
  /** Called once the run is over, before {@link stats}, {@link exposure} and {@link findings}. */
  finish?(result: MitigationResult): void
  /** What the run showed, in sentences (e.g. the Service Quotas request a quota increase needs). */
  findings?(): string[]
}

/** A bad parameter of a mitigation, found by its factory; `path` names the option (e.g. `['maxAge']`). */
export interface MitigationProblem {
  readonly path: readonly (string | number)[]
  readonly message: string
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
  /**
   * Quota overrides the mitigation stands for (a quota increase: pool → requests/s), merged
   * into the variant's own overrides.
   */
  readonly quotas?: Readonly<Record<string, number>>
  /**
   * Bad parameters found by the factory. A scenario with such a mitigation fails validation,
   * each problem reported with its path; {@link start} throws.
   */
  readonly problems?: readonly MitigationProblem[]
  /** Starts the mitigation for one variant run. */
  start(ctx: MitigationContext): MitigationRun
}

/**
 * Builds a mitigation from declarative options (`{ name: 'data-key-cache', maxAge: '5m' }` in a
 * scenario). A factory validates its options itself (bad ones become {@link Mitigation.problems}),
 * so a factory typed with its own options (`dataKeyCache(options: DataKeyCacheOptions)`) is a
 * MitigationFactory as it is: the parameter is declared in method form, which TypeScript checks
 * bivariantly.
 */
export type MitigationFactory = {
  factory(options: object): Mitigation
}['factory']

/**
 * The mitigations a scenario may name declaratively, by name: a read-only table that the
 * caller builds once and passes in (`defineScenario(input, { mitigations })`); nothing
 * registers itself. kms-bench's built-in table is `BUILT_IN_MITIGATIONS`; add your own with
 * `{ ...BUILT_IN_MITIGATIONS, 'my-cache': myCache }`.
 */
export type MitigationTable = Readonly<Record<string, MitigationFactory>>
