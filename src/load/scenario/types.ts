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
import type { RequestSpec } from './schema.ts'

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
  /** the scenario's principals (host i uses principal i mod n) */
  readonly principals?: readonly string[]
  /** the scenario's request kinds (e.g. the buckets and keys of S3 requests) */
  readonly requests?: readonly RequestSpec[]
  /** the run's `--scale` factor: rates a mitigation sets (a refill rate) are multiplied by it, as quotas are. @default 1 */
  readonly scale?: number
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

// ---------------------------------------------------------------------------------------------
// The effect protocol (its helpers, kmsCall, sleep, wait, Flight..., are in engine/effects.ts).
//
// An application request (and every mitigation around its KMS calls) is a generator that
// *yields effects* instead of doing I/O:
//
// - a {@link KmsCallSpec} (`kind: 'kms'`): make this KMS call; resumes with its {@link KmsOutcome};
// - a {@link SleepEffect}: resume after `ms` of the run's clock (retry backoff, a refill loop);
// - a {@link WaitEffect}: resume when a shared flight settles (single-flight joins).
//
// The same request logic therefore runs under the virtual-time driver (synchronous, a
// discrete-event heap, millions of requests per second) and under the real-time driver
// (asynchronous: SDK calls over HTTP, `clock.sleep`).

/** What mitigations may need to know about a KMS call besides its input. */
export interface CallMeta {
  /** bytes of application data the call protects (the message/payload size) */
  readonly bytes?: number
  /** tenant number (encryption-context cardinality), when the scenario has tenants */
  readonly tenant?: number
  /** the scenario's name of the key the call uses */
  readonly keyName?: string
  /** set when S3 makes the call on the caller's behalf (SSE-KMS) */
  readonly s3?: S3CallMeta
  /**
   * The AWS service that makes the call on the caller's behalf (`sqs`, `dynamodb`,
   * `secretsmanager`, `lambda`, `ec2`): application-side mitigations (caches, keyrings,
   * spreading) leave such calls alone, as they do S3's.
   */
  readonly service?: string
  /** name of the application request kind that made the call (e.g. `s3-put`) */
  readonly request?: string
  /** who attribution charges the call to (a principal ARN or an AWS service), when it is not the caller's principal */
  readonly caller?: string
  /**
   * The encrypted data key a Decrypt stands for, when reads model a store of messages with
   * data keys of their own (envelope-decrypt): two calls with different `dataKey`s decrypt
   * different data keys, whatever ciphertext bytes carry them.
   */
  readonly dataKey?: number
}

/** An S3 request made with SSE-KMS on a requester's behalf. */
export interface S3CallMeta {
  readonly operation: 'PUT' | 'GET'
  readonly bucket: string
  /** object key */
  readonly object: string
  /** the requester (principal ARN): S3 Bucket Keys are per requester */
  readonly requester: string
}

/** A KMS call to make: the operation, its input (the API's own shapes), who calls, and metadata. */
export interface KmsCallSpec<Op extends OperationName = OperationName> {
  readonly kind: 'kms'
  readonly operation: Op
  readonly input: OperationInputs[Op]
  /** account, Region, principal and `viaService` of the call (the quota it counts against) */
  readonly caller: CallerInput
  readonly meta: CallMeta
  /** index of `operation` in OPERATION_NAMES (the engine's counters use it) */
  readonly opIndex: number
}

/** The error side of an outcome: AWS's error name and message. */
export interface KmsErrorLike {
  readonly name: string
  readonly message: string
}

/** How a KMS call ended. Matches the emulator's `tryCall` result, so it is passed on as is. */
export type KmsOutcome<Op extends OperationName = OperationName> =
  | { readonly ok: true; readonly output: OperationOutputs[Op] }
  | { readonly ok: false; readonly error: KmsErrorLike }

/** Pause for `ms` milliseconds of the run's clock. */
export interface SleepEffect {
  readonly kind: 'sleep'
  readonly ms: number
}

/** A shared result that settles once (`Flight` of engine/effects.ts is the implementation). */
export interface Settling<T> {
  readonly settled: boolean
  /** the value once settled (`undefined` before) */
  readonly value: T | undefined
  /** calls `listener` when the result settles (at once when it has) */
  onSettled(listener: (value: T) => void): void
}

/** Wait until a shared flight settles; resumes with its value. */
export interface WaitEffect {
  readonly kind: 'wait'
  readonly flight: Settling<unknown>
}

/** Everything request logic may yield. */
export type Effect = KmsCallSpec | SleepEffect | WaitEffect

/** Request or mitigation logic: yields effects, receives their results, returns `R`. */
export type EffectGenerator<R> = Generator<Effect, R, unknown>

/** Makes one KMS call synchronously (the engine's embedded executor, zero service time). */
export type SyncKms = (call: KmsCallSpec) => KmsOutcome

/**
 * Makes KMS calls for one application host. Mitigations wrap one invoker in another
 * (`wrap(next, host)`); the innermost is {@link directKms}, which yields the call to the driver.
 *
 * Optional fast path: an invoker may also have `sync(call, exec)`, which runs its logic
 * synchronously, making KMS calls with `exec` (or `next.sync`), and returns the outcome, or,
 * once it needs to wait (a backoff, a flight), a generator that continues from there. The
 * engine uses it when calls complete at once, which spares a generator per request (most
 * requests of a throttled run never retry: the retry quota is spent). Without `sync`, the
 * generator form is used.
 */
export interface KmsInvoker {
  (call: KmsCallSpec): EffectGenerator<KmsOutcome>
  sync?: (call: KmsCallSpec, exec: SyncKms) => KmsOutcome | EffectGenerator<KmsOutcome>
}

/** What custom request code (`kind: 'custom'`) gets. */
export interface RequestContext {
  readonly host: Host
  /** the host's invoker: `yield* ctx.call(...)` is easier */
  readonly kms: KmsInvoker
  /** the request's tenant (0-based) */
  readonly tenant: number
  /** the request's payload size */
  readonly payloadBytes: number
  readonly random: Random
  readonly keys: ReadonlyMap<string, ResolvedKey>
  /** the caller the host's calls are made as, in the key's Region */
  callerFor(keyName: string): CallerInput
  /** the encryption context of this tenant, from the request's `context` */
  readonly context: Record<string, string> | undefined
  /** Makes one KMS call through the host's mitigations. */
  call<Op extends OperationName>(
    operation: Op,
    input: OperationInputs[Op],
    meta?: CallMeta,
  ): EffectGenerator<KmsOutcome<Op>>
}
