import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/results/index.ts'
import { loadFixture } from './fixtures/load.ts'
import { csvField, renderTimelineCsv } from './timeline-csv.ts'

/** A strict RFC 4180 parser (CRLF records, quoted fields with doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let i = 0
  let quoted = false
  while (i < text.length) {
    const c = text[i] as string
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
        continue
      }
      if (c === '"') {
        quoted = false
        i++
        continue
      }
      field += c
      i++
      continue
    }
    if (c === '"' && field === '') {
      quoted = true
      i++
      continue
    }
    if (c === ',') {
      row.push(field)
      field = ''
      i++
      continue
    }
    if (c === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i += 2
      continue
    }
    if (c === '\n' || c === '\r' || c === '"') throw new Error(`bare ${JSON.stringify(c)} at ${i}`)
    field += c
    i++
  }
  if (field !== '' || row.length > 0) throw new Error('last record not terminated by CRLF')
  return rows
}

describe('renderTimelineCsv', () => {
  const s3 = loadFixture('s3-throttling.summary.json')

  it('has a header row and one row per variant × second, all the same width', () => {
    const rows = parseCsv(renderTimelineCsv(s3))
    const header = rows[0]!
    expect(header.slice(0, 14)).toEqual([
      'variant',
      'second',
      'offered',
      'achieved',
      'late',
      'succeeded',
      'throttled',
      'failed',
      'timed_out',
      'dropped',
      'kms_calls',
      'kms_throttled',
      'p50_ms',
      'p99_ms',
    ])
    expect(header).toContain('kms_calls:GenerateDataKey')
    expect(header).toContain('kms_calls:Decrypt')
    expect(header).toContain('pool_accepted:111122223333/eu-north-1/symmetric')
    expect(header).toContain('pool_throttled:111122223333/eu-north-1/symmetric')
    expect(rows.length - 1).toBe(s3.variants.reduce((n, v) => n + v.timeline.length, 0))
    for (const r of rows) expect(r).toHaveLength(header.length)
  })

  it('carries the numbers of the timeline', () => {
    const rows = parseCsv(renderTimelineCsv(s3))
    const header = rows[0]!
    const col = (name: string): number => header.indexOf(name)
    const baseline = rows.filter((r) => r[0] === 'baseline')
    const total = (name: string): number => baseline.reduce((a, r) => a + Number(r[col(name)]), 0)
    const v = s3.variants[0]!
    expect(total('offered')).toBe(v.offered.requests)
    expect(total('kms_throttled')).toBe(v.kms.throttled)
    expect(total('kms_calls:GenerateDataKey')).toBe(v.kms.byOperation['GenerateDataKey']?.calls)
    expect(total('pool_accepted:111122223333/eu-north-1/symmetric')).toBe(v.quota[0]?.accepted)
  })

  it('quotes fields as RFC 4180 requires', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField(Number.NaN)).toBe('')
    const odd: RunSummary = structuredClone(s3)
    odd.variants[1]!.name = 'cache, "fast"\r\nvariant'
    const rows = parseCsv(renderTimelineCsv(odd))
    expect(rows.filter((r) => r[0] === 'cache, "fast"\r\nvariant')).toHaveLength(odd.variants[1]!.timeline.length)
  })

  it('is just the header for a run without timeline entries', () => {
    const empty: RunSummary = structuredClone(s3)
    for (const v of empty.variants) v.timeline = []
    expect(parseCsv(renderTimelineCsv(empty))).toHaveLength(1)
  })
})
