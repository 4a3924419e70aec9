/**
 * One-line summaries for the terminal (`run` prints one per variant). They use the same number
 * formats as report.md and report.html, so the console, the Markdown and the HTML never show
 * the same figure two ways (`p99 2,103 ms`, `$3.61` everywhere).
 */
import type { VariantSummary } from '../load/index.ts'
import { fmtInt, fmtMs, fmtPct, fmtUsd, plural } from './format.ts'
import { lossCauses, lostRequests, lostShare } from './service.ts'

/**
 * `baseline: 808,000 requests, 31.5% throttled, 1,020,511 KMS calls (12 throttled), p99 1,509 ms, $3.61`;
 * when requests were lost to more than throttling (dropped, timed out, failed), the share lost
 * and its causes follow the throttled share: `0% throttled, 96.3% lost (8,663 dropped (not sent))`.
 */
export function variantConsoleLine(v: VariantSummary): string {
  const lost = lostRequests(v)
  const beyondThrottling = lost > v.completed.throttled
  return (
    `${v.name}: ${plural(v.offered.requests, 'request')}, ${fmtPct(v.throttleRate)} throttled, ` +
    (beyondThrottling ? `${fmtPct(lostShare(v))} lost (${lossCauses(v).join(', ')}), ` : '') +
    `${plural(v.kms.calls, 'KMS call')} (${fmtInt(v.kms.throttled)} throttled), ` +
    `p99 ${fmtMs(v.latencyMs.p99)}, ${fmtUsd(v.costUsd.total)}`
  )
}

/** The live progress figures: throttled share and p99 in the report's formats. */
export function progressFigures(p: { completed: number; throttled: number; p99Ms: number }): string {
  return `throttled ${fmtPct(p.completed > 0 ? p.throttled / p.completed : 0)}  p99 ${fmtMs(p.p99Ms)}`
}
