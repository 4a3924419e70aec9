/**
 * Usage metering like CloudWatch's AWS/Usage metrics for KMS: per pool of each account ×
 * Region, calls accepted and throttled per window, the busiest window, and how many seconds
 * saw throttling (https://docs.aws.amazon.com/kms/latest/developerguide/monitoring-cloudwatch.html).
 *
 * A meter window is the pool's limiter window: one second, or W seconds for a limit below
 * 1/s (see `limiter.ts`). Rates (`peakPerSecond`) are counts per window divided by W.
 *
 * The per-window series is kept in a ring of bounded size per pool (the most recent
 * `retentionSeconds` worth of active windows; idle windows are not stored), so a long run
 * uses constant memory; the totals cover the whole run.
 */
import type { PoolUsage, UsageSecond } from './usage.ts'

/** Default retention of the per-second series: one hour of active seconds per pool. */
export const DEFAULT_RETENTION_SECONDS = 3600

const INITIAL_RING = 16

/** The meter of one pool of one account × Region. */
export class MeterEntry {
  readonly account: string
  readonly region: string
  readonly pool: string
  /** requests/s in force */
  readonly limit: number
  /** window length in seconds */
  readonly windowSeconds: number
  /** `account/region/pool` */
  readonly key: string
  readonly #windowMs: number
  readonly #capacity: number
  // current window
  #windowEnd = -Infinity
  #windowStartSecond = 0
  #wAccepted = 0
  #wThrottled = 0
  // closed windows
  #accepted = 0
  #throttled = 0
  #peakWindow = 0
  #throttledWindows = 0
  // ring of closed active windows
  #seconds: Float64Array
  #acc: Float64Array
  #thr: Float64Array
  #head = 0
  #size = 0

  constructor(
    account: string,
    region: string,
    pool: string,
    limit: number,
    windowSeconds: number,
    retentionSeconds: number = DEFAULT_RETENTION_SECONDS,
  ) {
    this.account = account
    this.region = region
    this.pool = pool
    this.limit = limit
    this.windowSeconds = windowSeconds
    this.key = `${account}/${region}/${pool}`
    this.#windowMs = windowSeconds * 1000
    this.#capacity = Math.max(1, Math.ceil(retentionSeconds / windowSeconds))
    const initial = Math.min(INITIAL_RING, this.#capacity)
    this.#seconds = new Float64Array(initial)
    this.#acc = new Float64Array(initial)
    this.#thr = new Float64Array(initial)
  }

  /** Counts `n` accepted requests at `now` (epoch ms). */
  accept(now: number, n: number): void {
    if (now >= this.#windowEnd) this.#roll(now)
    this.#wAccepted += n
  }

  /** Counts `n` throttled requests at `now` (epoch ms). */
  reject(now: number, n: number): void {
    if (now >= this.#windowEnd) this.#roll(now)
    this.#wThrottled += n
  }

  /** Totals, including the window in progress. */
  usage(): PoolUsage {
    const live = this.#wAccepted + this.#wThrottled
    const peakWindow = Math.max(this.#peakWindow, live)
    const peakPerSecond = peakWindow / this.windowSeconds
    const throttledWindows = this.#throttledWindows + (this.#wThrottled > 0 ? 1 : 0)
    return {
      pool: this.pool,
      account: this.account,
      region: this.region,
      limit: this.limit,
      accepted: this.#accepted + this.#wAccepted,
      throttled: this.#throttled + this.#wThrottled,
      peakPerSecond,
      utilization: this.limit > 0 ? peakPerSecond / this.limit : peakPerSecond > 0 ? Infinity : 0,
      throttledSeconds: throttledWindows * this.windowSeconds,
    }
  }

  /** The retained windows, oldest first, plus the window in progress. */
  series(): UsageSecond[] {
    const out: UsageSecond[] = []
    const cap = this.#seconds.length
    for (let i = 0; i < this.#size; i++) {
      const j = (this.#head - this.#size + i + cap) % cap
      out.push({
        epochSecond: this.#seconds[j] as number,
        key: this.key,
        accepted: this.#acc[j] as number,
        throttled: this.#thr[j] as number,
      })
    }
    if (this.#wAccepted + this.#wThrottled > 0) {
      out.push({
        epochSecond: this.#windowStartSecond,
        key: this.key,
        accepted: this.#wAccepted,
        throttled: this.#wThrottled,
      })
    }
    return out
  }

  /** Number of windows held in the ring (for memory checks). */
  get retainedWindows(): number {
    return this.#size
  }

  #roll(now: number): void {
    const a = this.#wAccepted
    const t = this.#wThrottled
    if (a + t > 0) {
      this.#accepted += a
      this.#throttled += t
      if (a + t > this.#peakWindow) this.#peakWindow = a + t
      if (t > 0) this.#throttledWindows++
      this.#push(this.#windowStartSecond, a, t)
    }
    const k = Math.floor(now / this.#windowMs)
    this.#windowEnd = (k + 1) * this.#windowMs
    this.#windowStartSecond = k * this.windowSeconds
    this.#wAccepted = 0
    this.#wThrottled = 0
  }

  #push(second: number, a: number, t: number): void {
    if (this.#size === this.#seconds.length && this.#size < this.#capacity) this.#grow()
    const cap = this.#seconds.length
    this.#seconds[this.#head] = second
    this.#acc[this.#head] = a
    this.#thr[this.#head] = t
    this.#head = (this.#head + 1) % cap
    if (this.#size < cap) this.#size++
  }

  #grow(): void {
    const cap = this.#seconds.length
    const next = Math.min(this.#capacity, cap * 2)
    const reorder = (src: Float64Array): Float64Array => {
      const dst = new Float64Array(next)
      for (let i = 0; i < this.#size; i++) dst[i] = src[(this.#head - this.#size + i + cap) % cap] as number
      return dst
    }
    this.#seconds = reorder(this.#seconds)
    this.#acc = reorder(this.#acc)
    this.#thr = reorder(this.#thr)
    this.#head = this.#size % next
  }
}
