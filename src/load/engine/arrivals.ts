/**
 * The arrival stream: intended send times of application requests, generated lazily in
 * order (no event per future arrival is ever stored). Uniform arrivals invert the schedule's
 * cumulative rate: arrival *i* is due when `cumulative(t) = i + phase`, computed from the
 * start of the run, never by adding up gaps, so long runs do not drift. Poisson arrivals
 * draw exponential gaps restarted at every slice boundary (the process is memoryless), so
 * the rate can change over time.
 *
 * Sharding: shard *I* of *N* offers the rate × 1/N with phase I/N, which makes the union of
 * the N uniform streams exactly the unsharded stream.
 */
import type { Random } from '../../random.ts'
import type { RateShape } from './schedule.ts'

/** What the engine takes arrivals from: intended send times in ms from the start, ascending, then `Infinity`. */
export interface Arrivals {
  next(): number
}

/** Options of {@link ArrivalStream}. */
export interface ArrivalStreamOptions {
  shape: RateShape
  /** length of the run in ms; no arrival at or after it */
  durationMs: number
  /** multiplies every rate (`--scale`, and 1/N for shards). @default 1 */
  factor?: number
  /** offset in [0, 1) of the uniform lattice (shard index / shard count). @default 0 */
  phase?: number
  /** random source of the Poisson process (unused for uniform arrivals) */
  random: Random
  /** width of the interpolation slices for smooth shapes (ramp, sine), in ms. @default 10 */
  gridMs?: number
}

/** Lazily generated intended send times, in ms from the start of the run, ascending. */
export class ArrivalStream implements Arrivals {
  readonly #shape: RateShape
  readonly #durationMs: number
  readonly #factor: number
  readonly #phase: number
  readonly #random: Random
  readonly #gridMs: number
  readonly #poisson: boolean
  readonly #jitter: boolean
  readonly #breaks: number[]
  #breakIndex = 0
  // The current slice [s0, s1) and the scaled cumulative rate at its ends.
  #s0 = 0
  #s1 = 0
  #l0 = 0
  #l1 = 0
  /** scaled rate (requests/s) of the current slice for piecewise-constant shapes, or 0 */
  #rate = 0
  /** next lattice value (uniform) */
  #next = 0
  /** current time of the Poisson process */
  #t = 0
  #done = false
  /** arrivals returned so far */
  emitted = 0

  constructor(options: ArrivalStreamOptions) {
    this.#shape = options.shape
    this.#durationMs = options.durationMs
    this.#factor = options.factor ?? 1
    this.#phase = options.phase ?? 0
    this.#random = options.random
    this.#gridMs = options.gridMs ?? 10
    this.#poisson = options.shape.process === 'poisson'
    this.#jitter = options.shape.spread === 'seeded' && options.shape.piecewiseConstant
    this.#breaks = options.shape.breakpoints(options.durationMs).filter((b) => b > 0 && b < options.durationMs)
    this.#next = this.#phase
    if (!(this.#durationMs > 0) || !(this.#factor > 0)) this.#done = true
    else this.#enterSlice(0)
  }

  /** Expected number of arrivals over the whole run (the schedule's integral × factor). */
  expectedTotal(): number {
    return this.#factor * this.#shape.cumulative(this.#durationMs)
  }

  /** The next intended send time (ms from the start), or `Infinity` when the run has no more. */
  next(): number {
    if (this.#done) return Infinity
    if (this.#poisson) return this.#nextPoisson()
    for (;;) {
      const v = this.#next
      if (v < this.#l1) {
        this.#next = v + 1
        this.emitted++
        // Multiply before dividing: (3 × 1000) / 3 is exactly 1000, 3 × (1000 / 3) is not.
        let t =
          this.#rate > 0
            ? this.#s0 + ((v - this.#l0) * 1000) / this.#rate
            : this.#s0 + ((v - this.#l0) / (this.#l1 - this.#l0)) * (this.#s1 - this.#s0)
        if (t < this.#s0) t = this.#s0
        // Seeded spread: a uniform point of this arrival's own lattice slot (never past the slice).
        if (this.#jitter && this.#rate > 0) t = Math.min(t + (this.#random.next() * 1000) / this.#rate, this.#s1 - 1e-6)
        return t
      }
      if (!this.#advance()) return Infinity
    }
  }

  #nextPoisson(): number {
    for (;;) {
      const perMs = (this.#l1 - this.#l0) / (this.#s1 - this.#s0)
      if (perMs > 0) {
        const t = this.#t + this.#random.exponential(perMs)
        if (t < this.#s1) {
          this.#t = t
          this.emitted++
          return t
        }
      }
      if (!this.#advance()) return Infinity
      this.#t = this.#s0
    }
  }

  #advance(): boolean {
    if (this.#s1 >= this.#durationMs) {
      this.#done = true
      return false
    }
    this.#enterSlice(this.#s1)
    return true
  }

  #enterSlice(s0: number): void {
    const shape = this.#shape
    while (this.#breakIndex < this.#breaks.length && (this.#breaks[this.#breakIndex] as number) <= s0)
      this.#breakIndex++
    let s1 = this.#breakIndex < this.#breaks.length ? (this.#breaks[this.#breakIndex] as number) : this.#durationMs
    if (!shape.piecewiseConstant) s1 = Math.min(s1, (Math.floor(s0 / this.#gridMs) + 1) * this.#gridMs)
    if (s1 > this.#durationMs) s1 = this.#durationMs
    this.#s0 = s0
    this.#s1 = s1
    this.#l0 = s0 === 0 ? 0 : this.#l1
    this.#l1 = this.#factor * shape.cumulative(s1)
    if (shape.piecewiseConstant) {
      const r = this.#factor * shape.rate(s0)
      this.#rate = r
      // Keep the lattice exact: values below this slice's start belong to earlier slices.
      if (r === 0) this.#l1 = this.#l0
    } else {
      this.#rate = 0
    }
  }
}
