/**
 * `.hgrm` files: HdrHistogram's percentile-distribution text, one per variant, in
 * milliseconds. This is the format HdrHistogram's own `outputPercentileDistribution` prints and
 * its plotter (https://hdrhistogram.github.io/HdrHistogram/plotFiles.html) reads, so several
 * variants' files can be dropped on the plotter and compared.
 */
import type { VariantSummary } from '../load/index.ts'
import { decodeHistogram, US_PER_MS } from './histogram.ts'

/** Options of {@link renderHgrm}. */
export interface HgrmOptions {
  /**
   * Reporting points per halving of the distance to 100% (HdrHistogram's
   * `percentileTicksPerHalfDistance`).
   * @default 5
   */
  readonly ticksPerHalfDistance?: number
}

/**
 * Renders the percentile distribution of a compressed base64 HDR histogram (integer µs) with
 * values in milliseconds. An empty or unreadable histogram gives the distribution of no samples
 * (header and footer only), which the plotter accepts.
 */
export function renderHgrm(encodedHistogram: string, options: HgrmOptions = {}): string {
  const { histogram } = decodeHistogram(encodedHistogram)
  return histogram.outputPercentileDistribution(options.ticksPerHalfDistance ?? 5, US_PER_MS)
}

/** Renders the `.hgrm` of one variant: every completed application request, from its intended send time. */
export function renderVariantHgrm(variant: VariantSummary, options: HgrmOptions = {}): string {
  return renderHgrm(variant.histogram, options)
}

/** Names the run output writes next to the `.hgrm` files; a variant may not take them. */
const RESERVED = new Set(['summary', 'report', 'timeline', 'bencher', 'github-action-benchmark', 'junit'])

/**
 * A file-safe base name for each variant, in order, unique within the run (case-insensitively,
 * for case-insensitive filesystems): characters other than letters, digits, `.`, `_` and `-`
 * become `-`, leading dots are dropped, and clashes get `-2`, `-3`, ....
 */
export function variantFileNames(variants: readonly Pick<VariantSummary, 'name'>[]): string[] {
  const used = new Set<string>()
  return variants.map((v) => {
    let base = v.name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[.-]+/, '')
      .replace(/-+$/, '')
      .slice(0, 100)
    if (base === '') base = 'variant'
    if (RESERVED.has(base.toLowerCase())) base = `variant-${base}`
    let name = base
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}-${i}`
    used.add(name.toLowerCase())
    return name
  })
}
