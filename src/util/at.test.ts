import { describe, expect, it } from 'vitest'
import { at, IndexRangeError } from './index.ts'

describe('at', () => {
  it('returns the element at an index in range, undefined elements included', () => {
    expect(at([1, 2, 3], 2)).toBe(3)
    expect(at(new Float64Array([0.5]), 0)).toBe(0.5)
    expect(at([undefined, 1], 0)).toBeUndefined()
  })

  it('throws an internal error naming the index and the range when out of range', () => {
    expect(() => at([1, 2], 2)).toThrow(IndexRangeError)
    expect(() => at([1, 2], -1)).toThrow('internal error: index -1 is outside 0..1')
    expect(() => at([], 0)).toThrow('internal error: index 0 is outside 0..-1')
    expect(() => at([1], 0.5)).toThrow(IndexRangeError)
  })
})
