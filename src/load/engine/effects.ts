/**
 * The effect protocol of the load engine (its types are in scenario/types.ts, which scenario
 * files and mitigations are written against). An application request (and every mitigation
 * around its KMS calls) is a generator that *yields effects* instead of doing I/O:
 *
 * - a {@link KmsCallSpec} (`kind: 'kms'`): make this KMS call; resumes with its {@link KmsOutcome};
 * - a {@link SleepEffect}: resume after `ms` of the run's clock (retry backoff, a refill loop);
 * - a {@link WaitEffect}: resume when a shared {@link Flight} settles (single-flight joins).
 *
 * The same request logic therefore runs under the virtual-time driver (synchronous, a
 * discrete-event heap, millions of requests per second) and under the real-time driver
 * (asynchronous: SDK calls over HTTP, `clock.sleep`). Effects resolved at once (a KMS call
 * with zero service time) never touch the heap.
 */
import { type CallerInput, OPERATION_NAMES, type OperationInputs, type OperationName } from '../../kms/index.ts'
import type { CallMeta, EffectGenerator, KmsCallSpec, KmsInvoker, KmsOutcome, SyncKms } from '../scenario/index.ts'

/** The innermost invoker: hands the call to the driver (the target) and returns its outcome. */
export const directKms: KmsInvoker = Object.assign(
  function* directKms(call: KmsCallSpec): EffectGenerator<KmsOutcome> {
    return (yield call) as KmsOutcome
  },
  { sync: (call: KmsCallSpec, exec: SyncKms): KmsOutcome => exec(call) },
)

/** True when a `sync` result is a continuation rather than an outcome. */
export function isContinuation(r: KmsOutcome | EffectGenerator<KmsOutcome>): r is EffectGenerator<KmsOutcome> {
  // An outcome has its own `ok`; checking it (not a generator's inherited `next`) is the fast test.
  return (r as { ok?: unknown }).ok === undefined
}

const OP_INDEX = new Map<string, number>(OPERATION_NAMES.map((n, i) => [n, i]))

/** Index of an operation in OPERATION_NAMES (−1 when unknown). */
export function operationIndex(operation: string): number {
  return OP_INDEX.get(operation) ?? -1
}

/** Builds a {@link KmsCallSpec}. */
export function kmsCall<Op extends OperationName>(
  operation: Op,
  input: OperationInputs[Op],
  caller: CallerInput,
  meta: CallMeta = {},
): KmsCallSpec<Op> {
  const opIndex = OP_INDEX.get(operation)
  if (opIndex === undefined) throw new TypeError(`'${operation}' is not a KMS operation`)
  return { kind: 'kms', operation, input, caller, meta, opIndex }
}

/** A copy of `call` with another input (and optionally other metadata), e.g. a rewritten encryption context. */
export function withInput<Op extends OperationName>(
  call: KmsCallSpec<Op>,
  input: OperationInputs[Op],
  meta?: CallMeta,
): KmsCallSpec<Op> {
  return {
    kind: 'kms',
    operation: call.operation,
    input,
    caller: call.caller,
    meta: meta ?? call.meta,
    opIndex: call.opIndex,
  }
}

/** A copy of `call` made by another caller (another account or Region: account sharding, multi-Region spreading). */
export function withCaller<Op extends OperationName>(
  call: KmsCallSpec<Op>,
  caller: CallerInput,
  input?: OperationInputs[Op],
): KmsCallSpec<Op> {
  return {
    kind: 'kms',
    operation: call.operation,
    input: input ?? call.input,
    caller,
    meta: call.meta,
    opIndex: call.opIndex,
  }
}

/** Yields a KMS call and returns its typed outcome (for request and mitigation code). */
export function* callKms<Op extends OperationName>(
  invoke: KmsInvoker,
  call: KmsCallSpec<Op>,
): EffectGenerator<KmsOutcome<Op>> {
  return (yield* invoke(call)) as KmsOutcome<Op>
}

/** Sleeps `ms` of the run's clock (no effect when `ms <= 0`). */
export function* sleep(ms: number): EffectGenerator<void> {
  if (ms > 0) yield { kind: 'sleep', ms }
}

/** Waits for a flight to settle and returns its value (at once when it already has). */
export function* wait<T>(flight: Flight<T>): EffectGenerator<T> {
  if (flight.settled) return flight.value as T
  return (yield { kind: 'wait', flight: flight as Flight<unknown> }) as T
}

/** True when the outcome is a `ThrottlingException`. */
export function isThrottled(outcome: KmsOutcome): boolean {
  return !outcome.ok && outcome.error.name === 'ThrottlingException'
}

/**
 * A result that several requests can wait for: the first request to need a data key starts
 * the KMS call and resolves the flight; the others `yield* wait(flight)` (single-flight).
 */
export class Flight<T> {
  #settled = false
  #value: T | undefined
  /**
   * The first waiter and its argument, in fields of their own (most flights have one waiter:
   * an adaptive limiter's turn); later ones in `#more`, listener then argument.
   */
  #first: ((value: T, arg: never) => void) | undefined
  #firstArg: unknown
  #more: unknown[] | undefined

  /** Whether {@link resolve} was called. */
  get settled(): boolean {
    return this.#settled
  }

  /** The value once settled (`undefined` before). */
  get value(): T | undefined {
    return this.#value
  }

  /** Settles the flight; waiting requests resume (in the order they started waiting). Later calls are ignored. */
  resolve(value: T): void {
    if (this.#settled) return
    this.#settled = true
    this.#value = value
    const first = this.#first
    const arg = this.#firstArg
    const more = this.#more
    this.#first = undefined
    this.#firstArg = undefined
    this.#more = undefined
    if (first !== undefined) first(value, arg as never)
    if (more !== undefined)
      for (let i = 0; i < more.length; i += 2) (more[i] as (value: T, arg: unknown) => void)(value, more[i + 1])
  }

  /**
   * Calls `listener(value, arg)` when the flight settles, at once when it has (drivers use it
   * to resume waiting requests). `arg` lets one shared listener serve every waiter, so that a
   * wait costs no closure of its own.
   */
  onSettled<A = undefined>(listener: (value: T, arg: A) => void, arg?: A): void {
    if (this.#settled) {
      listener(this.#value as T, arg as A)
      return
    }
    if (this.#first === undefined && this.#more === undefined) {
      this.#first = listener as (value: T, arg: never) => void
      this.#firstArg = arg
    } else (this.#more ??= []).push(listener, arg)
  }
}

/** Outcome classes of an application request, as counted in results. */
export const SUCCEEDED = 0
/** The request failed because a KMS call was throttled (after any retries). */
export const THROTTLED_OUTCOME = 1
/** The request failed for another reason. */
export const FAILED = 2
/** The request's deadline passed before it completed (its retries and waits were stopped). */
export const TIMED_OUT = 3
/** 0 succeeded, 1 throttled, 2 failed, 3 timed out. */
export type OutcomeCode = typeof SUCCEEDED | typeof THROTTLED_OUTCOME | typeof FAILED | typeof TIMED_OUT

/** The outcome class of a KMS outcome. */
export function outcomeCode(outcome: KmsOutcome): OutcomeCode {
  if (outcome.ok) return SUCCEEDED
  return outcome.error.name === 'ThrottlingException' ? THROTTLED_OUTCOME : FAILED
}
