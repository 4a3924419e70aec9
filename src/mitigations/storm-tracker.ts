/**
 * The decision logic of the Material Providers Library's storm tracking cryptographic
 * materials cache (awslabs/aws-encryption-sdk-specification
 * `framework/storm-tracking-cryptographic-materials-cache.md`, version 0.2.0, "GetCacheEntry"):
 * given a key, its cached entry's expiry (if any), the time and how long the caller has waited,
 * it says whether the caller uses the entry (`hit`), fetches new materials (`fetch`: the spec's
 * NoSuchEntry, after which the key is in flight), sleeps and asks again (`block`), or fails
 * (`fail`: "InFlightTTL exceeded"). Times are epoch ms; pure, no clock.
 */

/** Settings of a storm tracking cache, in ms (the spec's seconds × 1000). */
export interface StormTrackerSettings {
  /** refresh-ahead window before expiry */
  readonly gracePeriodMs: number
  /** a key in flight for this long is no longer in flight (another caller may fetch) */
  readonly graceIntervalMs: number
  /** most keys in flight at once */
  readonly fanOut: number
  /** a caller blocked this long on a key in flight fails */
  readonly inFlightTtlMs: number
}

/** What a caller of GetCacheEntry does. */
export type StormDecision = 'hit' | 'fetch' | 'block' | 'fail'

/** In-flight bookkeeping of one cache (one per host). */
export class StormTracker {
  readonly settings: StormTrackerSettings
  /** key → the last time NoSuchEntry was returned for it */
  readonly #inFlight = new Map<string, number>()
  /** the most keys in flight at once, over the tracker's life */
  peakInFlight = 0

  constructor(settings: StormTrackerSettings) {
    this.settings = settings
  }

  /** Keys in flight at `now` (a key stops being in flight after the grace interval). */
  inFlightCount(now: number): number {
    for (const [k, t] of this.#inFlight) if (now >= t + this.settings.graceIntervalMs) this.#inFlight.delete(k)
    return this.#inFlight.size
  }

  /**
   * GetCacheEntry's decision. `expiry` is the cached entry's expiry (`undefined`: no entry);
   * `waitedMs` is how long this caller has been blocked so far.
   */
  decide(key: string, expiry: number | undefined, now: number, waitedMs: number): StormDecision {
    const s = this.settings
    const full = this.inFlightCount(now) >= s.fanOut
    const since = this.#inFlight.get(key)
    if (expiry !== undefined) {
      if (full || now < expiry - s.gracePeriodMs) return 'hit'
      // Within the grace period: one caller per grace interval refreshes ahead, the rest use the entry.
      if (since !== undefined && now < since + s.graceIntervalMs) return 'hit'
      this.#mark(key, now)
      return 'fetch'
    }
    if (full && since === undefined) return waitedMs > s.inFlightTtlMs ? 'fail' : 'block'
    if (since === undefined) {
      this.#mark(key, now)
      return 'fetch'
    }
    if (waitedMs > s.inFlightTtlMs) return 'fail'
    return 'block'
  }

  /** PutCacheEntry: the key is no longer in flight. */
  put(key: string): void {
    this.#inFlight.delete(key)
  }

  #mark(key: string, now: number): void {
    this.#inFlight.set(key, now)
    if (this.#inFlight.size > this.peakInFlight) this.peakInFlight = this.#inFlight.size
  }
}
