import { describe, expect, it } from 'vitest'
import type { VariantSummary } from '../load/index.ts'
import { attributionTables } from './attribution.ts'
import { loadFixture } from './fixtures/load.ts'

describe('attributionTables', () => {
  it('gives each share in the report-wide percentage format (100%, 25%, <0.01%)', () => {
    const v = structuredClone(loadFixture('single-variant.summary.json').variants[0]) as VariantSummary
    const byCaller = {
      'arn:aws:iam::111122223333:role/a': { calls: 29_999, throttled: 0 },
      'arn:aws:iam::111122223333:role/b': { calls: 10_000, throttled: 0 },
      'arn:aws:iam::111122223333:role/c': { calls: 1, throttled: 0 },
    }
    const w = {
      ...v,
      kms: { ...v.kms, calls: 40_000, byCaller, byAccount: { '111122223333': { calls: 40_000, throttled: 0 } } },
    }
    const [principals, accounts] = attributionTables(w as VariantSummary)
    expect(principals?.rows.map((r) => r[2])).toEqual(['75%', '25%', '<0.01%'])
    expect(accounts?.rows.map((r) => r[2])).toEqual(['100%'])
  })
})
