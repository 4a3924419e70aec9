/**
 * Key material that AWS services (SQS, DynamoDB) and AWS client libraries (the Secrets Manager
 * caching client and agent) keep between KMS calls, as the request kinds of kind-sqs.ts,
 * kind-dynamodb.ts and kind-secrets-manager.ts model it: one entry per id (a queue and
 * principal, a connection and table, a host and secret), fresh until it expires, refetched
 * with KMS calls after. Concurrent requests that find an entry being fetched wait for that
 * fetch (one KMS call per entry, not one per request); a fetch cut short (its request reached
 * its deadline) releases them as failed. Times are the run's clock (epoch ms); no clock of its own.
 */
import type { EffectGenerator, KmsCallSpec, KmsInvoker, KmsOutcome } from '../scenario/index.ts'
import { FAILED, Flight, type OutcomeCode, SUCCEEDED, wait } from './effects.ts'

/** Makes one KMS call through a host's invoker chain (its client and mitigations; `direct` when there are none). */
export function* callThrough(
  host: { readonly direct: boolean; readonly kms: KmsInvoker },
  call: KmsCallSpec,
): EffectGenerator<KmsOutcome> {
  return (host.direct ? yield call : yield* host.kms(call)) as KmsOutcome
}

/** How an entry expires. */
export interface ReusePolicy {
  /** how long an entry serves, ms */
  readonly ttlMs: number
  /** true: each use extends the entry to `ttlMs` after that use (expiry after inactivity). @default false */
  readonly sliding?: boolean
  /** true: a failed refetch of an expired entry still serves the old value (the Secrets Manager caching client). @default false */
  readonly serveStale?: boolean
}

interface Entry {
  /** epoch ms; -Infinity while the first fetch runs */
  expiresAt: number
  /** the fetch in progress, if any */
  flight: Flight<OutcomeCode> | undefined
  /** a value was fetched once (a stale one can serve) */
  held: boolean
  /** an id that says where the entry's material came from (the environment generation of a host) */
  epoch: number
}

/** Counters of a {@link ServiceCache}. */
export interface ServiceCacheStats {
  hits: number
  misses: number
  /** requests that waited for another request's fetch of the same entry */
  joined: number
  /** failed refetches answered with the old value (serveStale) */
  servedStale: number
}

/** Entries by id with their expiry; see the file comment. */
export class ServiceCache {
  readonly #entries = new Map<string, Entry>()
  readonly #policy: ReusePolicy
  readonly stats: ServiceCacheStats = { hits: 0, misses: 0, joined: 0, servedStale: 0 }

  constructor(policy: ReusePolicy) {
    this.#policy = policy
  }

  /** Distinct ids seen so far. */
  get size(): number {
    return this.#entries.size
  }

  /**
   * Serves entry `id` at `now()` (epoch ms): from the cache while fresh, else by running `fetch`
   * (its KMS calls) and caching the result when it succeeds. `epoch` invalidates an entry made
   * under another one (a Lambda execution environment that started again).
   */
  *use(
    id: string,
    now: () => number,
    fetch: () => EffectGenerator<OutcomeCode>,
    epoch = 0,
  ): EffectGenerator<OutcomeCode> {
    const p = this.#policy
    const e = this.#entries.get(id)
    if (e !== undefined && e.epoch === epoch) {
      if (e.flight !== undefined) {
        this.stats.joined++
        return yield* wait(e.flight)
      }
      const t = now()
      if (t < e.expiresAt) {
        this.stats.hits++
        if (p.sliding === true) e.expiresAt = t + p.ttlMs
        return SUCCEEDED
      }
    }
    this.stats.misses++
    const held = e !== undefined && e.epoch === epoch && e.held
    const flight = new Flight<OutcomeCode>()
    const entry: Entry = { expiresAt: held ? (e as Entry).expiresAt : -Infinity, flight, held, epoch }
    this.#entries.set(id, entry)
    let code: OutcomeCode = FAILED
    try {
      code = yield* fetch()
    } finally {
      entry.flight = undefined
      if (code === SUCCEEDED) {
        entry.held = true
        entry.expiresAt = now() + p.ttlMs
      } else if (held && p.serveStale === true) {
        this.stats.servedStale++
        code = SUCCEEDED
      } else if (!held && this.#entries.get(id) === entry) this.#entries.delete(id)
      flight.resolve(code)
    }
    return code
  }
}

/**
 * The execution environments of the hosts (Lambda): a cold start on a host replaces its
 * environment, and whatever the old one cached in memory (a secret) is gone.
 */
export class HostEnvironments {
  readonly #generation: number[] = []

  /** The current environment of host `index` (0 until its first restart). */
  of(index: number): number {
    return this.#generation[index] ?? 0
  }

  /** Host `index` starts a new environment. */
  restart(index: number): void {
    this.#generation[index] = this.of(index) + 1
  }
}
