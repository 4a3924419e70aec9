/**
 * Helpers of the mitigations that send a call somewhere else (another Region, another
 * account): rewritten inputs and callers made once and reused (the emulator caches what it
 * resolves per object), and a hook on a call's outcome whether it completes at once or later.
 */
import {
  isContinuation,
  type EffectGenerator,
  type KmsCallSpec,
  type KmsInvoker,
  type KmsOutcome,
  type SyncKms,
} from '../load/index.ts'

/** A key ARN with another Region (a multi-Region replica's ARN); key ids are the same in every Region. */
export function inRegion(keyId: string, region: string): string {
  return keyId.replace(/^(arn:[^:]+:kms:)[^:]*(:)/, `$1${region}$2`)
}

/** Memoized rewrites of one object into numbered variants (a Region, a shard). */
export class Rewrites<T extends object> {
  readonly #memo = new WeakMap<T, (T | undefined)[]>()

  /** Variant `slot` of `base`, built once. */
  get(base: T, slot: number, build: (base: T) => T): T {
    let list = this.#memo.get(base)
    if (list === undefined) this.#memo.set(base, (list = []))
    let v = list[slot]
    if (v === undefined) list[slot] = v = build(base)
    return v
  }
}

/** Calls `f` with the outcome of `r` when it is known: now, or when the continuation ends. */
function onOutcome(
  r: KmsOutcome | EffectGenerator<KmsOutcome>,
  f: (out: KmsOutcome) => void,
): KmsOutcome | EffectGenerator<KmsOutcome> {
  if (!isContinuation(r)) {
    f(r)
    return r
  }
  return (function* (): EffectGenerator<KmsOutcome> {
    const out = yield* r
    f(out)
    return out
  })()
}

/**
 * An invoker that sends some calls elsewhere. `route` returns the call as sent and a tag
 * (where it went), or `undefined` to pass the call on unchanged; `after` then sees the
 * rerouted call's tag and outcome (to remember where a ciphertext was made). The sync fast
 * path is kept when `next` has one.
 */
export function reroutingInvoker<T>(
  next: KmsInvoker,
  route: (call: KmsCallSpec) => { call: KmsCallSpec; tag: T } | undefined,
  after: (tag: T, out: KmsOutcome) => void,
): KmsInvoker {
  const invoker: KmsInvoker = (call) => {
    const r = route(call)
    if (r === undefined) return next(call)
    return onOutcome(next(r.call), (out) => after(r.tag, out)) as EffectGenerator<KmsOutcome>
  }
  const nextSync = next.sync
  if (nextSync !== undefined) {
    invoker.sync = (call: KmsCallSpec, exec: SyncKms) => {
      const r = route(call)
      if (r === undefined) return nextSync(call, exec)
      return onOutcome(nextSync(r.call, exec), (out) => after(r.tag, out))
    }
  }
  return invoker
}

/** The ciphertext a call's output carries, if any (GenerateDataKey, Encrypt, ReEncrypt). */
export function outputBlob(out: KmsOutcome): Uint8Array | undefined {
  return out.ok ? (out.output as { CiphertextBlob?: Uint8Array }).CiphertextBlob : undefined
}

/** Operations whose input is a ciphertext: they must go where its key is. */
export const CIPHERTEXT_OPERATIONS: ReadonlySet<string> = new Set(['Decrypt', 'ReEncrypt'])
