import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isKeyId, KeyIdCheck } from './ids.ts'

describe('KeyIdCheck', () => {
  it('answers as isKeyId whatever came before (remembers only well-formed ids)', () => {
    const ids = [
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      '1234ABCD-12ab-34cd-56ef-1234567890ab',
      '1234abcd-12ab-34cd-56ef-1234567890a',
      'alias/x',
      '',
    ]
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...ids), fc.uuid(), fc.string()), { maxLength: 20 }), (seq) => {
        const check = new KeyIdCheck()
        for (const s of seq) expect(check.isKeyId(s), s).toBe(isKeyId(s))
      }),
    )
    const check = new KeyIdCheck()
    expect(check.isKeyId(ids[0] as string)).toBe(true)
    expect(check.isKeyId(ids[2] as string)).toBe(false)
    expect(check.isKeyId(ids[0] as string)).toBe(true)
  })
})
