import { describe, expect, it } from 'vitest'
import { parseRateTrace, RateTraceError } from './trace-csv.ts'

describe('parseRateTrace', () => {
  it('reads a CloudWatch-shaped export: sums per minute, newest first, spread over the minute', () => {
    const csv = [
      'Timestamp,Value',
      '2025-03-01T00:02:00Z,1200',
      '2025-03-01T00:00:00Z,600',
      '2025-03-01T00:01:00Z,0',
    ].join('\n')
    const rates = parseRateTrace(csv)
    expect(rates).toHaveLength(180)
    expect(rates[0]).toBe(10)
    expect(rates[59]).toBe(10)
    expect(rates[60]).toBe(0)
    expect(rates[120]).toBe(20)
  })

  it('reads per-second rates: one column, or values as rates', () => {
    expect(parseRateTrace('100\n200\n50')).toEqual([100, 200, 50])
    expect(parseRateTrace('rate\n5\n6')).toEqual([5, 6])
    expect(parseRateTrace('"Label","Timestamp","Sum"\n"x",1740787200,7\n"x",1740787201,9', { values: 'rate' })).toEqual(
      [7, 9],
    )
  })

  it('names the row and the problem', () => {
    expect(() => parseRateTrace('Timestamp,Value\n2025-03-01T00:00:00Z,abc')).toThrow(
      /row 2: 'abc' is not a non-negative number/,
    )
    expect(() => parseRateTrace('')).toThrow(RateTraceError)
    expect(() => parseRateTrace('Timestamp,Value\nyesterday,3')).toThrow(/not a timestamp/)
    expect(() => parseRateTrace('Timestamp,Value\n1,2', { column: 'Sum' })).toThrow(/no column named 'Sum'/)
  })
})
