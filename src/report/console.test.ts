import { describe, expect, it } from 'vitest'
import type { VariantSummary } from '../load/index.ts'
import { variantConsoleLine } from './console.ts'
import { loadFixture } from './fixtures/load.ts'

describe('variantConsoleLine', () => {
  const v = loadFixture('single-variant.summary.json').variants[0] as VariantSummary

  it('puts dropped, timed-out and failed requests in the line, not only the throttled share', () => {
    // 25,000 offered, 24,448 dropped before they were sent, 35 throttled: issue 12's finding 4.
    const dropped: VariantSummary = {
      ...v,
      offered: { requests: 25_000, ratePerSecond: 5000 },
      completed: {
        succeeded: 517,
        throttled: 35,
        failed: 0,
        timedOut: 0,
        dropped: 24_448,
        errors: { Dropped: 24_448, ThrottlingException: 35 },
      },
      throttleRate: 35 / 25_000,
    }
    expect(variantConsoleLine(dropped)).toMatch(
      /^baseline: 25,000 requests, 0\.14% throttled, 97\.9% lost \(24,448 dropped \(not sent\), 35 throttled \(ThrottlingException\)\), /,
    )
  })

  it('says nothing more when throttling is the only loss', () => {
    const throttled: VariantSummary = {
      ...v,
      offered: { requests: 100, ratePerSecond: 100 },
      completed: {
        succeeded: 90,
        throttled: 10,
        failed: 0,
        timedOut: 0,
        dropped: 0,
        errors: { ThrottlingException: 10 },
      },
      throttleRate: 0.1,
    }
    expect(variantConsoleLine(throttled)).toMatch(/^baseline: 100 requests, 10% throttled, [\d,]+ KMS calls? \(/)
    expect(variantConsoleLine(throttled)).not.toContain('lost')
  })
})
