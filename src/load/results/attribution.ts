/**
 * Who uses the quota: every KMS call counted against the principal that made it, or the AWS
 * service acting for it (`kms:ViaService` `s3.us-east-1.amazonaws.com` is reported as
 * `s3.amazonaws.com`, as CloudTrail's `userIdentity.invokedBy` names it), against the account
 * charged (the caller's: cross-account calls count against the caller, as the quota docs say:
 * https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html), and per key.
 */
import type { CallerInput } from '../../kms/index.ts'

/**
 * Where a result's attribution comes from:
 * - `emulator`: the embedded target's call path, each call under the caller the emulator
 *   charged it to (its principal, or the AWS service calling for it, and its account);
 * - `client`: an endpoint target, counted by the load client attempt by attempt (retries
 *   included) under the caller the scenario made each call for (a host's or host group's
 *   principal, a replayed log's caller); the endpoint saw only the signing credentials, one
 *   per account (the account id as access key, which kms-bench serve charges to that account);
 * - `client-credentials`: as `client`, but every call was signed with the one set of
 *   credentials of the run (AWS_ACCESS_KEY_ID, or the default credential chain on real AWS),
 *   which the endpoint charged whatever the scenario's caller was.
 */
export type AttributionSource = 'emulator' | 'client' | 'client-credentials'

/** Calls and throttles of one caller, account or key. */
export interface Attributed {
  calls: number
  throttled: number
}

/** Counts calls per caller, account and key; cheap per call (one lookup per distinct caller object). */
export class Attribution {
  readonly byCaller = new Map<string, Attributed>()
  readonly byAccount = new Map<string, Attributed>()
  readonly byKey = new Map<string, Attributed>()
  readonly #resolved = new WeakMap<CallerInput, [Attributed, Attributed]>()
  readonly #named = new Map<string, [Attributed, Attributed]>()
  /** where the counts come from (endpoint targets set it). @default 'emulator' */
  source: AttributionSource = 'emulator'

  /** Counts one call (`code` 1 = throttled); `who` overrides the caller's name (a replayed log's caller). */
  count(caller: CallerInput, who: string | undefined, keyName: string | undefined, code: number): void {
    let pair = who === undefined ? this.#resolved.get(caller) : this.#named.get(`${who}|${caller.account ?? ''}`)
    if (pair === undefined) {
      const name = who ?? callerName(caller)
      pair = [entry(this.byCaller, name), entry(this.byAccount, caller.account ?? 'default')]
      if (who === undefined) this.#resolved.set(caller, pair)
      else this.#named.set(`${who}|${caller.account ?? ''}`, pair)
    }
    const t = code === 1 ? 1 : 0
    pair[0].calls++
    pair[0].throttled += t
    pair[1].calls++
    pair[1].throttled += t
    if (keyName !== undefined) {
      const k = entry(this.byKey, keyName)
      k.calls++
      k.throttled += t
    }
  }
}

function entry(m: Map<string, Attributed>, k: string): Attributed {
  let e = m.get(k)
  if (e === undefined) m.set(k, (e = { calls: 0, throttled: 0 }))
  return e
}

/** The name attribution uses for a caller. */
export function callerName(c: CallerInput): string {
  if (c.viaService !== undefined)
    return c.viaService.replace(/^([a-z0-9-]+)\.[a-z0-9-]+\.amazonaws\.com$/, '$1.amazonaws.com')
  return c.principal ?? `arn:aws:iam::${c.account ?? 'default'}:root`
}

/** A map as a plain object sorted by calls (for summary.json). */
export function attributedRecord(m: ReadonlyMap<string, Attributed>): Record<string, Attributed> {
  return Object.fromEntries([...m.entries()].sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1)))
}
