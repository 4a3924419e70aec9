/**
 * HDR histograms (hdr-histogram-js, WebAssembly build) of latencies in integer microseconds
 * with 3 significant digits, as the measurement rules require. Histograms merge exactly
 * (`add`), travel as compressed base64 ("HISTF..."), and must be `destroy()`ed: WASM memory
 * is not garbage collected.
 *
 * {@link LatencyRecorder} adds run-length batching in front of a histogram: consecutive
 * equal values (very common in virtual time, where a throttled call takes exactly 0 µs)
 * are recorded once with a count, which keeps recording off the hot path.
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

/** A histogram with run-length batching of equal consecutive values. */
export class LatencyRecorder {
  readonly histogram: Histogram
  #last = -1
  #count = 0

  constructor(histogram: Histogram = newHistogram()) {
    this.histogram = histogram
  }

  /** Records one value (integer µs). */
  record(us: number): void {
    if (us === this.#last) {
      this.#count++
      return
    }
    if (this.#count > 0) this.histogram.recordValueWithCount(this.#last, this.#count)
    this.#last = us
    this.#count = 1
  }

  /** Writes pending values into the histogram; call before reading it. */
  flush(): Histogram {
    if (this.#count > 0) this.histogram.recordValueWithCount(this.#last, this.#count)
    this.#count = 0
    this.#last = -1
    return this.histogram
  }

  /** Flushes and clears the histogram. */
  reset(): void {
    this.#count = 0
    this.#last = -1
    this.histogram.reset()
  }

  /** Frees the WASM memory. */
  destroy(): void {
    this.histogram.destroy()
  }
}
