/**
 * Reading the HDR histograms of a summary (compressed base64, integer microseconds) for the
 * renderers: decoding, and the percentile spectrum HdrHistogram's plotter draws (latency by
 * percentile on the `1/(1 - p)` axis).
 */
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'

/** A decoded histogram, or why it could not be read. */
export interface DecodedHistogram {
  /** The histogram; an empty one when the text was empty or unreadable. */
  readonly histogram: Histogram
  /** Set when the text was not a readable HDR histogram (the report says so instead of failing). */
  readonly error?: string
}

/** Microseconds per millisecond: histograms record µs, reports show ms. */
export const US_PER_MS = 1000

function emptyHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3 })
}

/**
 * Decodes a compressed base64 HDR histogram. An empty string is an empty histogram (a variant
 * that completed nothing); text that does not decode gives an empty histogram and an `error`.
 */
export function decodeHistogram(encoded: string): DecodedHistogram {
  if (encoded.trim() === '') return { histogram: emptyHistogram() }
  try {
    // 64-bit counts: a long run at a high rate can exceed 2^31 samples in one bucket.
    return { histogram: hdr.decodeFromCompressedBase64(encoded.trim(), 64, false) }
  } catch (e) {
    return {
      histogram: emptyHistogram(),
      error: `not a readable HDR histogram (${e instanceof Error ? e.message : String(e)})`,
    }
  }
}

/** One point of a percentile spectrum. */
export interface SpectrumPoint {
  /** percentile, 0..100 */
  readonly percentile: number
  /** `1 / (1 - percentile/100)`: HdrHistogram's x axis (1 at 0%, 10 at 90%, 1000 at 99.9%) */
  readonly x: number
  /** latency at that percentile, in milliseconds */
  readonly valueMs: number
}

/** Options of {@link percentileSpectrum}. */
export interface SpectrumOptions {
  /**
   * Points per decade of `1/(1-p)`.
   * @default 24
   */
  readonly pointsPerDecade?: number
  /**
   * Largest `1/(1-p)` plotted (1e5 = 99.999%).
   * @default 1e6
   */
  readonly maxX?: number
}

/**
 * The latency-by-percentile spectrum of a histogram on HdrHistogram's log axis, from 0% up to
 * the highest percentile the sample count can resolve (`1/(1-p) ≤ totalCount`: beyond that
 * every percentile is the maximum), ending with the maximum itself. Empty for an empty
 * histogram.
 */
export function percentileSpectrum(histogram: Histogram, options: SpectrumOptions = {}): SpectrumPoint[] {
  const n = histogram.totalCount
  if (!(n > 0)) return []
  const perDecade = options.pointsPerDecade ?? 24
  const maxX = Math.max(1, Math.min(options.maxX ?? 1e6, n))
  const points: SpectrumPoint[] = []
  const steps = Math.floor(Math.log10(maxX) * perDecade + 1e-9)
  for (let k = 0; k <= steps; k++) {
    const x = 10 ** (k / perDecade)
    const percentile = 100 * (1 - 1 / x)
    points.push({ percentile, x, valueMs: histogram.getValueAtPercentile(percentile) / US_PER_MS })
  }
  const last = points[points.length - 1]
  if (last === undefined || last.x < maxX) {
    const percentile = 100 * (1 - 1 / maxX)
    points.push({ percentile, x: maxX, valueMs: histogram.getValueAtPercentile(percentile) / US_PER_MS })
  }
  // The maximum, drawn at the right edge of what the sample count resolves.
  const tail = points[points.length - 1]
  const maxMs = histogram.maxValue / US_PER_MS
  if (tail !== undefined && maxMs > tail.valueMs)
    points.push({ percentile: tail.percentile, x: tail.x, valueMs: maxMs })
  return points
}
