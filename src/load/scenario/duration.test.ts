import { describe, expect, it } from 'vitest'
import { DurationFormatError, formatDuration, parseDuration } from './duration.ts'

describe('parseDuration', () => {
  it('reads units, combinations and plain seconds', () => {
    expect(parseDuration('30s')).toBe(30)
    expect(parseDuration('5m')).toBe(300)
    expect(parseDuration('1h')).toBe(3600)
    expect(parseDuration('1h30m')).toBe(5400)
    expect(parseDuration('250ms')).toBe(0.25)
    expect(parseDuration('90')).toBe(90)
    expect(parseDuration('0.5')).toBe(0.5)
    expect(parseDuration(12)).toBe(12)
  })

  it('rejects what is not a duration, naming it', () => {
    for (const bad of ['', 'abc', '5x', '1h 2m', '-3s', 's'])
      expect(() => parseDuration(bad)).toThrow(DurationFormatError)
    expect(() => parseDuration(-1)).toThrow(DurationFormatError)
    expect(() => parseDuration('5x')).toThrow(/'5x' is not a duration/)
  })

  it('formats compactly', () => {
    expect(formatDuration(90)).toBe('1m30s')
    expect(formatDuration(0.25)).toBe('250ms')
    expect(formatDuration(3600)).toBe('1h')
  })
})
