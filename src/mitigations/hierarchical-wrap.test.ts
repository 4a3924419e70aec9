import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { modelledWrap, realWrap, WRAP_OVERHEAD, wrappedIndex } from './hierarchical-wrap.ts'

describe('hierarchical keyring wrapping', () => {
  const material = new Uint8Array(randomBytes(32))

  it('really wraps: the data key comes back, under the same materials only, and names its branch key', () => {
    const dataKey = realWrap.dataKey(32)
    const edk = realWrap.wrap(material, dataKey, 7)
    expect(edk.length).toBe(32 + WRAP_OVERHEAD)
    expect(wrappedIndex(edk)).toBe(7)
    expect(Buffer.from(realWrap.unwrap(material, edk)).equals(Buffer.from(dataKey))).toBe(true)
    // Two wraps of one data key differ (a random salt and IV each).
    expect(Buffer.from(realWrap.wrap(material, dataKey, 7)).equals(Buffer.from(edk))).toBe(false)
    expect(() => realWrap.unwrap(new Uint8Array(randomBytes(32)), edk)).toThrow()
    const tampered = new Uint8Array(edk)
    tampered[3] = 9 // the index is authenticated
    expect(() => realWrap.unwrap(material, tampered)).toThrow()
  })

  it('models the same shapes in virtual time without crypto', () => {
    for (const bytes of [16, 32, 64]) {
      const dataKey = modelledWrap.dataKey(bytes)
      expect(dataKey.length).toBe(bytes)
      const edk = modelledWrap.wrap(material, dataKey, 3)
      expect(edk.length).toBe(realWrap.wrap(material, realWrap.dataKey(bytes), 3).length)
      expect(wrappedIndex(edk)).toBe(3)
      expect(modelledWrap.unwrap(material, edk).length).toBe(bytes)
    }
  })

  it('tells its encrypted data keys from KMS ciphertexts', () => {
    expect(wrappedIndex(new Uint8Array(randomBytes(184)))).toBeUndefined()
    expect(wrappedIndex(new Uint8Array(WRAP_OVERHEAD))).toBeUndefined()
  })
})
