import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CIPHERTEXT_OVERHEAD, CiphertextCodec, parseSymmetricHeader, type SealingMaterial } from './ciphertext.ts'
import { encodeEncryptionContext } from './encryption-context.ts'
import { InvalidCiphertextException } from './errors.ts'
import { newKeyMaterial } from './key-material.ts'
import { RandomPool } from './random-pool.ts'

const random = new RandomPool()
const codec = new CiphertextCodec()
const material: SealingMaterial = newKeyMaterial('SYMMETRIC_DEFAULT', 3, 0, random)
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'
const ACCOUNT = '000011112222'
const noContext = encodeEncryptionContext(undefined)

function seal(plaintext: Uint8Array, contextBytes = noContext, keyId = KEY_ID, account = ACCOUNT): Buffer {
  return codec.seal(material, account, keyId, plaintext, contextBytes, random)
}

function openError(blob: Uint8Array, contextBytes = noContext): unknown {
  try {
    codec.open(material, blob, contextBytes)
  } catch (e) {
    return e
  }
  return undefined
}

describe('symmetric ciphertext format', () => {
  it('adds 112 bytes to the plaintext (real KMS adds about 150)', () => {
    expect(CIPHERTEXT_OVERHEAD).toBe(112)
    expect(seal(Buffer.alloc(32)).length).toBe(144)
    expect(seal(Buffer.alloc(4096)).length).toBe(4096 + 112)
  })

  it('names the key, its account (leading zeros kept) and the material version in the header', () => {
    const header = parseSymmetricHeader(seal(Buffer.from('x')))
    expect(header).toMatchObject({ account: ACCOUNT, keyId: KEY_ID, materialVersion: 3 })
    expect(header?.backingKeyId.equals(material.backingKeyId)).toBe(true)
  })

  it('round-trips multi-Region key ids (mrk-)', () => {
    const mrk = 'mrk-1234abcd12ab34cd56ef1234567890ab'
    expect(parseSymmetricHeader(seal(Buffer.from('x'), noContext, mrk))?.keyId).toBe(mrk)
  })

  it('names the right key and account when parsing alternates between keys (reused name strings)', () => {
    const other = 'mrk-00000000000000000000000000000001'
    const blobs = [
      seal(Buffer.from('a')),
      seal(Buffer.from('b'), noContext, other, '999999999999'),
      seal(Buffer.from('c'), noContext, KEY_ID, '000011112223'),
    ]
    for (const round of [0, 1]) {
      expect(codec.parse(blobs[0] as Buffer), `round ${round}`).toMatchObject({
        keyId: KEY_ID,
        account: ACCOUNT,
      })
      expect(codec.parse(blobs[1] as Buffer)).toMatchObject({ keyId: other, account: '999999999999' })
      expect(codec.parse(blobs[2] as Buffer)).toMatchObject({ keyId: KEY_ID, account: '000011112223' })
    }
  })

  it('is randomized: the same plaintext never gives the same ciphertext', () => {
    const a = seal(Buffer.from('same'))
    const b = seal(Buffer.from('same'))
    expect(a.equals(b)).toBe(false)
    expect(codec.open(material, a, noContext).toString()).toBe('same')
    expect(codec.open(material, b, noContext).toString()).toBe('same')
  })

  it('rejects blobs that are not ours: too short, wrong version, wrong length field', () => {
    const blob = seal(Buffer.from('hello'))
    expect(parseSymmetricHeader(blob.subarray(0, CIPHERTEXT_OVERHEAD - 1))).toBeUndefined()
    expect(parseSymmetricHeader(Buffer.concat([blob, Buffer.from('bad_data')]))).toBeUndefined()
    const v2 = Buffer.from(blob)
    v2[0] = 2
    expect(parseSymmetricHeader(v2)).toBeUndefined()
    expect(parseSymmetricHeader(new Uint8Array(300))).toBeUndefined()
  })

  it('reads a blob that is a view into a larger buffer', () => {
    const blob = seal(Buffer.from('view'))
    const big = new Uint8Array(blob.length + 10)
    big.set(blob, 5)
    const view = big.subarray(5, 5 + blob.length)
    expect(parseSymmetricHeader(view)?.keyId).toBe(KEY_ID)
    expect(codec.open(material, view, noContext).toString()).toBe('view')
  })

  it('fails with InvalidCiphertextException (empty message) under other material', () => {
    const blob = seal(Buffer.from('hello'))
    const other = newKeyMaterial('SYMMETRIC_DEFAULT', 3, 0, random)
    expect(() => codec.open(other, blob, noContext)).toThrow(InvalidCiphertextException)
    const sameIdOtherSecret: SealingMaterial = { ...material, secret: other.secret }
    const e = (() => {
      try {
        codec.open(sameIdOtherSecret, blob, noContext)
      } catch (err) {
        return err as Error
      }
      return undefined
    })()
    expect(e).toBeInstanceOf(InvalidCiphertextException)
    expect(e?.message).toBe('')
  })

  it('property: any single changed byte is detected (header check or GCM tag)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plaintext, at, mask) => {
          const blob = seal(plaintext)
          const i = at % blob.length
          blob[i] = (blob[i] as number) ^ mask
          const header = parseSymmetricHeader(blob)
          // Bytes [0, 84) are the header: a change there must fail parsing or the tag.
          if (header !== undefined) expect(openError(blob)).toBeInstanceOf(InvalidCiphertextException)
        },
      ),
      { numRuns: 400 },
    )
  })

  it('every single-byte change of the key-naming header bytes fails parsing, before any key lookup', () => {
    const blob = seal(Buffer.from('header'))
    for (let i = 0; i < 84; i++) {
      if (i >= 64 && i < 76) continue // random message id: covered by the GCM tag, not the header check
      const copy = Buffer.from(blob)
      copy[i] = (copy[i] as number) ^ 0x01
      expect(parseSymmetricHeader(copy), `byte ${i}`).toBeUndefined()
    }
  })

  it('opens and seals correctly whatever the context length, beyond the kept AAD scratch lengths too', () => {
    const blobs: [Buffer, Buffer][] = []
    for (let len = 0; len < 80; len++) {
      const contextBytes = len === 0 ? noContext : encodeEncryptionContext({ k: 'v'.repeat(len) })
      blobs.push([seal(Buffer.from(`p${len}`), contextBytes), contextBytes])
    }
    for (let i = blobs.length - 1; i >= 0; i--) {
      const [blob, contextBytes] = blobs[i] as [Buffer, Buffer]
      expect(codec.open(material, blob, contextBytes).toString()).toBe(`p${i}`)
      expect(new CiphertextCodec().open(material, blob, contextBytes).toString()).toBe(`p${i}`)
      expect(openError(blob, blobs[(i + 1) % blobs.length]?.[1])).toBeInstanceOf(InvalidCiphertextException)
    }
  })

  it('binds the encryption context as AAD', () => {
    const blob = seal(Buffer.from('ctx'), encodeEncryptionContext({ ab: 'c' }))
    expect(codec.open(material, blob, encodeEncryptionContext({ ab: 'c' })).toString()).toBe('ctx')
    expect(openError(blob, encodeEncryptionContext({ a: 'bc' }))).toBeInstanceOf(InvalidCiphertextException)
    expect(openError(blob)).toBeInstanceOf(InvalidCiphertextException)
  })
})
