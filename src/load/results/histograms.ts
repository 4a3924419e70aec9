/**
 * HDR histograms (hdr-histogram-js, WebAssembly build) of latencies in integer microseconds
 * with 3 significant digits, as the measurement rules require. Histograms merge exactly
 * (`add`), travel as compressed base64 ("HISTF..."), and must be `destroy()`ed: WASM memory
 * is not garbage collected.
 *
 * {@link LatencyRecorder} counts values in JavaScript in front of a histogram and writes them
 * with one call per counts-array index when the histogram is read, which keeps WebAssembly
 * calls off the hot path (a run records several values per simulated request).
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  initWebAssembly,
  type Histogram,
} from 'hdr-histogram-js'
import type { LatencyStats } from './summary.ts'

let wasmReady: Promise<void> | undefined

/** Loads the WebAssembly build once; await it before creating histograms. */
export function initHistograms(): Promise<void> {
  wasmReady ??= initWebAssembly()
  return wasmReady
}

/** A new histogram: integer µs, 3 significant digits, 64-bit counts, auto-resizing, WASM. */
export function newHistogram(): Histogram {
  return build({
    useWebAssembly: true,
    bitBucketSize: 64,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    lowestDiscernibleValue: 1,
  })
}

/**
 * Decodes a compressed base64 histogram into a new JavaScript histogram with 64-bit
 * (float) counts. The JS decoder is used on purpose: the WASM decoder of hdr-histogram-js
 * 3.0.1 truncates bucket counts above 2^32, which long virtual runs reach.
 */
export function decodeHistogram(base64: string): Histogram {
  return decodeFromCompressedBase64(base64, 64, false)
}

/** A new JavaScript histogram (64-bit counts) to merge decoded histograms into. */
export function newMergeHistogram(): Histogram {
  return build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true, lowestDiscernibleValue: 1 })
}

/** Encodes a histogram (WASM or JS) as compressed base64. */
export function encodeHistogram(h: Histogram): string {
  const wasm = h as Histogram & { encodeIntoCompressedBase64?: (level?: number) => string }
  return typeof wasm.encodeIntoCompressedBase64 === 'function'
    ? wasm.encodeIntoCompressedBase64()
    : encodeIntoCompressedBase64(h)
}

/** Percentiles (ms) of a histogram recorded in µs; zeros when empty. */
export function latencyStats(h: Histogram): LatencyStats {
  const count = h.totalCount
  if (count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 }
  const ms = (us: number): number => Math.round(us) / 1000
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    // The 100th percentile (the max's bucket, highest equivalent value), not `maxValue`: the
    // WASM and JS builds disagree on maxValue, and merged results must equal unsharded ones.
    max: ms(h.getValueAtPercentile(100)),
    mean: Math.round(h.mean) / 1000,
    count,
  }
}

/** Rounds a non-negative duration in ms to integer µs (what histograms record). */
export function toMicros(ms: number): number {
  return ms > 0 ? Math.round(ms * 1000) : 0
}

/**
 * Values below this are counted in JavaScript first (see {@link LatencyRecorder}); larger ones
 * (over 35 minutes in µs) go to the histogram at once.
 */
const SLOTTED_LIMIT = 2 ** 31
/** Slots of the values below SLOTTED_LIMIT: one per HDR counts-array index (bucket indexes 0 to 20). */
const SLOTS = 22 << 10

/**
 * The index of `us` (an integer in [0, 2^31)) in the counts array of a histogram of
 * {@link newHistogram}'s layout (unit 1, 3 significant digits: 2,048 sub-buckets, the half of
 * them above bucket 0): bucket `b` is the highest bit of `us | 2047` minus 10, the sub-bucket
 * `us >>> b`, the index `(b + 1) · 1024 + sub − 1024`. Two values of one index are one value to
 * the histogram: it counts them in the same place.
 */
export function histogramSlot(us: number): number {
  const bucket = 21 - Math.clz32(us | 2047)
  return (bucket << 10) + (us >>> bucket)
}

/**
 * A histogram that counts its values in JavaScript first: one counter per HDR counts-array index
 * ({@link histogramSlot}), written into the (WebAssembly) histogram with one call per index used
 * when it is read, instead of a call into WebAssembly per value. The histogram ends up exactly
 * as if every value had been recorded one by one: the same counts at the same indexes, and the
 * same largest and smallest non-zero values (those two are recorded as themselves; the other
 * values of their indexes as the index's first value), so percentiles, mean, max, encodings
 * and .hgrm output are the same.
 */
export class LatencyRecorder {
  readonly #histogram: Histogram
  /** per slot: values counted since the last flush */
  #counts: Float64Array | undefined
  /** per slot: the first value counted there */
  #firsts: Float64Array | undefined
  /** the slots with a count, in the order first used */
  #used: Int32Array | undefined
  #nUsed = 0
  #max = -1
  #minNonZero = Number.POSITIVE_INFINITY

  constructor(histogram: Histogram = newHistogram()) {
    this.#histogram = histogram
  }

  /** The histogram, with every value recorded so far. */
  get histogram(): Histogram {
    if (this.#nUsed > 0) this.#writeSlots()
    return this.#histogram
  }

  /** Records one value (integer µs). */
  record(us: number): void {
    if (!(us >= 0 && us < SLOTTED_LIMIT && (us | 0) === us)) {
      this.#histogram.recordValue(us)
      return
    }
    const counts = this.#counts ?? this.#allocate()
    const slot = histogramSlot(us)
    const c = counts[slot] as number
    if (c === 0) {
      ;(this.#firsts as Float64Array)[slot] = us
      ;(this.#used as Int32Array)[this.#nUsed++] = slot
    }
    counts[slot] = c + 1
    if (us > this.#max) this.#max = us
    if (us < this.#minNonZero && us !== 0) this.#minNonZero = us
  }

  /** Writes pending values into the histogram and returns it; call before reading it. */
  flush(): Histogram {
    return this.histogram
  }

  /** Clears the histogram and anything pending. */
  reset(): void {
    this.#clearSlots()
    this.#histogram.reset()
  }

  /** Frees the WASM memory. */
  destroy(): void {
    this.#clearSlots()
    this.#histogram.destroy()
  }

  #allocate(): Float64Array {
    const counts = new Float64Array(SLOTS)
    this.#counts = counts
    this.#firsts = new Float64Array(SLOTS)
    this.#used = new Int32Array(SLOTS)
    return counts
  }

  #writeSlots(): void {
    const h = this.#histogram
    const counts = this.#counts as Float64Array
    const firsts = this.#firsts as Float64Array
    const used = this.#used as Int32Array
    const max = this.#max
    const min = this.#minNonZero
    const maxSlot = histogramSlot(max)
    const minSlot = min === Number.POSITIVE_INFINITY ? -1 : histogramSlot(min)
    for (let i = 0; i < this.#nUsed; i++) {
      const slot = used[i] as number
      const first = firsts[slot] as number
      let rest = counts[slot] as number
      counts[slot] = 0
      // The extremes as themselves (the histogram keeps the exact max and smallest non-zero value).
      if (slot === maxSlot && max !== first) {
        h.recordValue(max)
        rest--
      }
      if (slot === minSlot && min !== first && min !== max) {
        h.recordValue(min)
        rest--
      }
      if (rest > 0) h.recordValueWithCount(first, rest)
    }
    this.#nUsed = 0
    this.#max = -1
    this.#minNonZero = Number.POSITIVE_INFINITY
  }

  #clearSlots(): void {
    const counts = this.#counts
    const used = this.#used
    if (counts !== undefined && used !== undefined) for (let i = 0; i < this.#nUsed; i++) counts[used[i] as number] = 0
    this.#nUsed = 0
    this.#max = -1
    this.#minNonZero = Number.POSITIVE_INFINITY
  }
}
