import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeEncryptionContext } from './encryption-context.ts'

describe('canonical encryption context encoding', () => {
  it('does not depend on pair order', () => {
    expect(encodeEncryptionContext({ a: '1', b: '2' })).toEqual(encodeEncryptionContext({ b: '2', a: '1' }))
  })

  it('never collides when the same characters are split differently', () => {
    expect(encodeEncryptionContext({ ab: 'c' })).not.toEqual(encodeEncryptionContext({ a: 'bc' }))
    expect(encodeEncryptionContext({ a: 'b', c: 'd' })).not.toEqual(encodeEncryptionContext({ a: 'bc', '': 'd' }))
  })

  it('is injective (property)', () => {
    const ctx = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 4 })
    fc.assert(
      fc.property(ctx, ctx, (x, y) => {
        const same = JSON.stringify(Object.entries(x).sort()) === JSON.stringify(Object.entries(y).sort())
        expect(encodeEncryptionContext(x).equals(encodeEncryptionContext(y))).toBe(same)
      }),
      { numRuns: 500 },
    )
  })

  it('encodes a context object afresh after it changed (the kept encoding of an object is checked on every use)', () => {
    const context: Record<string, string> = { tenant: 'a' }
    const first = Buffer.from(encodeEncryptionContext(context))
    expect(encodeEncryptionContext(context).equals(first)).toBe(true)
    context['tenant'] = 'b'
    expect(encodeEncryptionContext(context).equals(encodeEncryptionContext({ tenant: 'b' }))).toBe(true)
    context['extra'] = 'x'
    expect(encodeEncryptionContext(context).equals(encodeEncryptionContext({ extra: 'x', tenant: 'b' }))).toBe(true)
    delete context['extra']
    delete context['tenant']
    expect(encodeEncryptionContext(context).equals(encodeEncryptionContext(undefined))).toBe(true)
  })
})
