import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncryptionContextEncoder, encodeEncryptionContext } from './encryption-context.ts'

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

describe('EncryptionContextEncoder (kept encodings by content)', () => {
  it('gives the bytes of encodeEncryptionContext for any sequence of contexts, fresh or reused, changed or not', () => {
    const pair = fc.tuple(
      fc.constantFrom('a', 'b', 'tenant', 'é', '\u{1F600}', ''),
      fc.constantFrom('1', 'x', 'bench', ''),
    )
    const ctx = fc.array(pair, { maxLength: 3 }).map((pairs) => Object.fromEntries(pairs) as Record<string, string>)
    fc.assert(
      fc.property(fc.array(fc.tuple(ctx, fc.boolean(), fc.option(pair)), { maxLength: 30 }), (steps) => {
        const encoder = new EncryptionContextEncoder()
        let previous: Record<string, string> | undefined
        for (const [fresh, reuse, change] of steps) {
          const context = reuse && previous !== undefined ? previous : fresh
          if (change !== null) context[change[0]] = change[1]
          expect(encoder.encode(context).equals(encodeEncryptionContext(context))).toBe(true)
          previous = context
        }
        expect(encoder.encode(undefined).equals(encodeEncryptionContext(undefined))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps more than one encoding, and encodes afresh beyond the kept ones', () => {
    const encoder = new EncryptionContextEncoder()
    const contexts = Array.from({ length: 20 }, (_, i) => ({ tenant: `t${i}` }))
    for (const round of [0, 1])
      for (const c of contexts)
        expect(encoder.encode({ ...c }).equals(encodeEncryptionContext(c)), `round ${round}`).toBe(true)
  })

  it('encodes own pairs only, whatever an object inherits', () => {
    const encoder = new EncryptionContextEncoder()
    const own = { k: 'v' }
    const inherited = Object.create(own) as Record<string, string>
    expect(encoder.encode(own).equals(encodeEncryptionContext(own))).toBe(true)
    expect(encoder.encode(inherited).equals(encodeEncryptionContext({}))).toBe(true)
  })
})
