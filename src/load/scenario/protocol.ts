/**
 * The effect protocol and the things it names (hosts, resolved keys): the leaf contract types
 * that request code (custom requests), mitigations, the engine and the targets share. Types
 * only; its helpers (kmsCall, sleep, wait, Flight, ...) are in engine/effects.ts.
 */
import type { CallerInput, KeySpec, OperationInputs, OperationName, OperationOutputs } from '../../kms/index.ts'
import type { Random } from '../../random.ts'

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
  readonly keySpec: KeySpec
  /** `alias/...` when the scenario gave one */
  readonly alias?: string
  /** `CUSTOMER` or `AWS` (AWS managed keys are not billed) */
  readonly manager: 'CUSTOMER' | 'AWS'
}

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
