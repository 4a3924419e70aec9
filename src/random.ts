/**
 * Seeded pseudo-random numbers for the load engine: xoshiro128** (Blackman & Vigna,
 * https://prng.di.unimi.it/xoshiro128starstar.c) seeded through splitmix32. Every random
 * decision of a run (arrival jitter, which tenant, which host, retry jitter) draws from a
 * stream derived from the run's seed and a label, so the same scenario and seed give the
 * same run on any machine, and variants that must see the same arrivals get the same streams.
 */

/** A seeded generator of uniform numbers. */
export class Random {
  #a: number
  #b: number
  #c: number
  #d: number

  /**
   * @param seed any 32-bit integer (other numbers are reduced to 32 bits)
   * @param stream independent stream number: `(seed, stream)` pairs give unrelated sequences
   * @default stream 0
   */
  constructor(seed: number, stream = 0) {
    let s = (Math.trunc(seed) ^ Math.imul(Math.trunc(stream) + 1, 0x9e3779b9)) >>> 0
    const next = (): number => {
      // splitmix32: spreads a weak seed over the 128-bit state (never all zero).
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.#a = next()
    this.#b = next()
    this.#c = next()
    this.#d = next() | 1
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    const b = this.#b
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0
    const t = b << 9
    this.#c ^= this.#a
    this.#d ^= b
    this.#b ^= this.#c
    this.#a ^= this.#d
    this.#c ^= t
    this.#d = rotl(this.#d, 11)
    return r
  }

  /** A uniform number in [0, 1) with 32 bits of resolution (a drop-in for `Math.random`). */
  next(): number {
    return this.uint32() / 4294967296
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** An exponentially distributed number with mean `1 / rate`. */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate
  }

  /**
   * A Poisson-distributed count with mean `mean`: Knuth's product method for small means,
   * a rounded normal approximation above 500 (where its error is far below sampling noise).
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0
    if (mean > 500) {
      // Box–Muller normal with continuity correction.
      const u = 1 - this.next()
      const v = this.next()
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * z))
    }
    const limit = Math.exp(-mean)
    let k = 0
    let p = this.next()
    while (p > limit) {
      k++
      p *= this.next()
    }
    return k
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/**
 * A 32-bit seed derived from a base seed and labels (FNV-1a over the labels, mixed with the
 * seed): `deriveSeed(seed, 'arrivals')` and `deriveSeed(seed, 'host', 3)` are unrelated.
 */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = (0x811c9dc5 ^ Math.trunc(seed)) >>> 0
  for (const label of labels) {
    const text = `/${String(label)}`
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
  }
  // Final avalanche (murmur3 fmix32) so that close labels give distant seeds.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A generator for `labels` under `seed` (shorthand for `new Random(deriveSeed(seed, ...labels))`). */
export function randomFor(seed: number, ...labels: (string | number)[]): Random {
  return new Random(deriveSeed(seed, ...labels))
}
