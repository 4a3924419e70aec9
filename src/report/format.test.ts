import { describe, expect, it } from 'vitest'
import {
  escapeHtml,
  escapeMarkdown,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtRate,
  fmtSeconds,
  fmtUsd,
  MISSING,
  safeDiv,
} from './format.ts'

describe('formatters', () => {
  it('print a dash, never NaN, undefined or Infinity, for values that are not finite', () => {
    for (const f of [fmtInt, fmtNum, fmtRate, fmtPct, fmtMs, fmtUsd, fmtSeconds, fmtBytes]) {
      for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined])
        expect(f(x)).toBe(MISSING)
    }
  })

  it('format counts, rates and money for people', () => {
    expect(fmtInt(1234567.4)).toBe('1,234,567')
    expect(fmtNum(0.000011)).toBe('0.000011')
    expect(fmtNum(1.16)).toBe('1.16')
    expect(fmtNum(12345.6)).toBe('12,346')
    expect(fmtRate(12291.7)).toBe('12,292/s')
    expect(fmtUsd(94_608.4)).toBe('$94,608')
    expect(fmtUsd(38.256)).toBe('$38.26')
    expect(fmtUsd(0.00089)).toBe('$0.00089')
    expect(fmtUsd(0)).toBe('$0')
    expect(fmtMs(0.0644)).toBe('0.0644 ms')
    expect(fmtMs(1336.3)).toBe('1,336 ms')
    expect(fmtSeconds(300)).toBe('5 min')
    expect(fmtBytes(256 * 1024)).toBe('256 KiB')
  })

  it('keep small percentages visible and large ones short', () => {
    expect(fmtPct(0)).toBe('0%')
    expect(fmtPct(0.189)).toBe('18.9%')
    expect(fmtPct(0.0062)).toBe('0.62%')
    expect(fmtPct(0.0000001)).toBe('<0.01%')
    expect(fmtPct(0.99997, 3)).toBe('99.997%')
    expect(fmtPct(2.93, 0)).toBe('293%')
  })

  it('divides safely', () => {
    expect(safeDiv(1, 0)).toBe(0)
    expect(safeDiv(0, 0, 7)).toBe(7)
    expect(safeDiv(3, 4)).toBe(0.75)
  })

  it('escapes HTML and Markdown', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(escapeMarkdown('a|b *c* _d_ <e>\nf')).toBe('a\\|b \\*c\\* \\_d\\_ \\<e\\> f')
  })
})

describe('limits and plurals', () => {
  it('shows an unbounded limit as none and counts with the right noun', async () => {
    const { fmtLimit, plural } = await import('./format.ts')
    expect(fmtLimit(Number.MAX_SAFE_INTEGER)).toBe('none')
    expect(fmtLimit(Number.POSITIVE_INFINITY, '/s')).toBe('none')
    expect(fmtLimit(10_000, '/s')).toBe('10,000/s')
    expect(plural(1, 'KMS call')).toBe('1 KMS call')
    expect(plural(2, 'retry', 'retries')).toBe('2 retries')
    expect(plural(0, 'second')).toBe('0 seconds')
  })
})
