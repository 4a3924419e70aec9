/**
 * Rate limiters for one pool of one account × Region.
 *
 * **Fixed windows** (the default) follow AWS's description: a quota applies "in each
 * one-second interval", and once it is used up every further call in that same second is
 * throttled (requests-per-second.html; throttling.html). There is no burst allowance and no
 * carry-over. Windows are aligned to whole epoch seconds of the clock.
 *
 * **Fractional limits** (AWS publishes 0.5, 0.25 and 0.1 per second, and `quotaScale`
 * makes more): a limit L below 1/s is enforced in windows of W = ⌈1/L⌉ seconds, aligned to
 * epoch multiples of W, which is exactly how AWS words its own fractional quotas ("0.5 (1 in
 * each 2-second interval)", "0.1 (1 in each 10-second interval)"). A non-integer limit A = L·W
 * admits ⌊A·(k+1)⌋ − ⌊A·k⌋ requests in window k, so windows alternate between ⌊A⌋ and ⌈A⌉
 * and any run of windows admits L per second to within one request. A scale model (every
 * offered rate and every limit × F) therefore throttles the same fraction of a steady load
 * as the full-size system.
 *
 * **Token bucket** (`quotaMode: 'token-bucket'`, for what-if studies only: AWS documents no
 * burst): capacity max(L, 1) requests (0 when L is 0), refilled continuously at L/s, full at
 * the start.
 *
 * Only the current window is kept, so memory does not grow with run length.
 */

/** How quotas are enforced. */
export type QuotaMode = 'fixed-window' | 'token-bucket'

/** How a limit is cut into windows. */
export interface WindowPlan {
  /** Window length in whole seconds (1 unless the limit is below 1/s). */
  readonly seconds: number
  /** Whole requests each window admits. */
  readonly whole: number
  /** Fractional requests per window, spread over windows (0 for whole limits). */
  readonly frac: number
}

/** The window plan of a limit in requests/s (see the module comment). */
export function windowPlan(limit: number): WindowPlan {
  if (!(limit >= 0) || !Number.isFinite(limit))
    throw new RangeError(`a quota limit must be a finite number >= 0, got ${limit}`)
  const seconds = limit === 0 || limit >= 1 ? 1 : Math.ceil(1 / limit - 1e-9)
  let perWindow = limit * seconds
  const rounded = Math.round(perWindow)
  if (Math.abs(perWindow - rounded) <= 1e-9 * Math.max(1, perWindow)) perWindow = rounded
  const whole = Math.floor(perWindow)
  return { seconds, whole, frac: perWindow - whole }
}

/** Requests window `k` (epoch ms / (seconds·1000), floored) admits under `plan`. */
export function windowAllowance(plan: WindowPlan, k: number): number {
  if (plan.frac === 0) return plan.whole
  return plan.whole + Math.floor(plan.frac * (k + 1)) - Math.floor(plan.frac * k)
}

/** One limiter: fixed-window or token-bucket. */
export class LimiterSlot {
  readonly limit: number
  readonly mode: QuotaMode
  readonly plan: WindowPlan
  readonly #windowMs: number
  // fixed window
  #windowEnd = -Infinity
  #allowance = 0
  #used = 0
  // token bucket
  readonly #capacity: number
  readonly #ratePerMs: number
  #tokens: number
  #last = Number.NaN

  constructor(limit: number, mode: QuotaMode) {
    this.limit = limit
    this.mode = mode
    this.plan = windowPlan(limit)
    this.#windowMs = this.plan.seconds * 1000
    this.#capacity = limit === 0 ? 0 : Math.max(limit, 1)
    this.#ratePerMs = limit / 1000
    this.#tokens = this.#capacity
  }

  /** Brings the limiter to time `now` (epoch ms): starts a new window or refills tokens. */
  refresh(now: number): void {
    if (this.mode === 'fixed-window') {
      if (now >= this.#windowEnd) {
        const k = Math.floor(now / this.#windowMs)
        this.#windowEnd = (k + 1) * this.#windowMs
        this.#allowance = windowAllowance(this.plan, k)
        this.#used = 0
      }
    } else {
      if (!Number.isNaN(this.#last)) {
        const t = this.#tokens + (now - this.#last) * this.#ratePerMs
        this.#tokens = Math.min(t, this.#capacity)
      }
      this.#last = now
    }
  }

  /** Whether `cost` requests fit right now (call {@link refresh} first). */
  fits(cost: number): boolean {
    return this.mode === 'fixed-window' ? this.#used + cost <= this.#allowance : this.#tokens + 1e-9 >= cost
  }

  /** Uses `cost` requests (after {@link fits} said yes). */
  take(cost: number): void {
    if (this.mode === 'fixed-window') this.#used += cost
    else this.#tokens -= cost
  }

  /** {@link refresh}, then takes `cost` if it fits. */
  tryTake(now: number, cost: number): boolean {
    this.refresh(now)
    if (!this.fits(cost)) return false
    this.take(cost)
    return true
  }

  /** Requests still available in the current window (or whole tokens in the bucket) as of the last refresh. */
  remaining(): number {
    return this.mode === 'fixed-window' ? this.#allowance - this.#used : Math.floor(this.#tokens + 1e-9)
  }

  /** True when, at `now`, this limiter holds no state worth keeping (a fresh one would behave the same). */
  idleAt(now: number): boolean {
    if (this.mode === 'fixed-window') return now >= this.#windowEnd
    return Number.isNaN(this.#last) || this.#tokens + (now - this.#last) * this.#ratePerMs >= this.#capacity
  }
}
