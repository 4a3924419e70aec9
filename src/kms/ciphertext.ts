/**
 * The symmetric ciphertext blob: an opaque, versioned format of our own.
 *
 * Real KMS ciphertext is undocumented; AWS says only that it carries the key and algorithm
 * and that its cleartext header is authenticated as AAD
 * (https://docs.aws.amazon.com/kms/latest/cryptographic-details/customer-data-operations.html).
 * We do the same, and keep the size realistic (plaintext + 112 bytes; real KMS is about
 * plaintext + 150, kms-facts.md §7). We make no attempt at byte compatibility with AWS.
 *
 * Layout (all integers big-endian):
 *
 *   off  len  field
 *     0    1  format version (1)
 *     1    1  algorithm (1 = SYMMETRIC_DEFAULT, AES-256-GCM)
 *     2    1  key id kind (0 = UUID, 1 = multi-Region `mrk-`)
 *     3    1  reserved (0)
 *     4    8  key owner account id
 *    12   16  key id (the UUID's or mrk id's 16 bytes)
 *    28    4  key material version (so old ciphertext decrypts after rotation)
 *    32   32  backing key id: SHA-256 of the material id (like KMS's HBK identifier)
 *    64   16  random message id
 *    80    4  payload length n
 *    84   12  AES-GCM IV (random)
 *    96    n  AES-256-GCM ciphertext
 *  96+n   16  AES-GCM tag
 *
 * The AAD is bytes [0, 84) followed by the canonical encryption context encoding, so any
 * change to the header, the key id, the material version or the context fails the tag.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { InvalidCiphertextException } from './errors.ts'
import type { RandomPool } from './random-pool.ts'

const VERSION = 1
const ALG_SYMMETRIC_DEFAULT = 1
const HEADER_LENGTH = 84
const IV_LENGTH = 12
const TAG_LENGTH = 16
/** Bytes a symmetric ciphertext adds to its plaintext. */
export const CIPHERTEXT_OVERHEAD = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH

/** What the cleartext header of a symmetric ciphertext names. */
export interface CiphertextHeader {
  readonly account: string
  readonly keyId: string
  readonly materialVersion: number
  readonly backingKeyId: Buffer
}

/** Material needed to seal or open: the version number, its backing key id and its AES-256 secret. */
export interface SealingMaterial {
  readonly version: number
  readonly backingKeyId: Buffer
  readonly secret?: Buffer
}

/** Encrypts `plaintext` under `material`, binding `aad` (the canonical encryption context). */
export function sealSymmetric(
  material: SealingMaterial,
  account: string,
  keyId: string,
  plaintext: Uint8Array,
  contextBytes: Buffer,
  random: RandomPool,
): Buffer {
  const secret = material.secret
  if (secret === undefined) throw new Error('symmetric key material has no secret')
  const n = plaintext.byteLength
  const out = Buffer.allocUnsafe(CIPHERTEXT_OVERHEAD + n)
  out[0] = VERSION
  out[1] = ALG_SYMMETRIC_DEFAULT
  const mrk = keyId.startsWith('mrk-')
  out[2] = mrk ? 1 : 0
  out[3] = 0
  writeAccount(out, 4, account)
  writeKeyId(out, 12, keyId, mrk)
  out.writeUInt32BE(material.version, 28)
  material.backingKeyId.copy(out, 32, 0, 32)
  random.fill(out, 64, 16)
  out.writeUInt32BE(n, 80)
  random.fill(out, HEADER_LENGTH, IV_LENGTH)
  const iv = out.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH)
  const cipher = createCipheriv('aes-256-gcm', secret, iv)
  cipher.setAAD(out.subarray(0, HEADER_LENGTH))
  cipher.setAAD(contextBytes)
  const body = HEADER_LENGTH + IV_LENGTH
  let written = cipher.update(plaintext).copy(out, body)
  written += cipher.final().copy(out, body + written)
  cipher.getAuthTag().copy(out, body + n)
  return out
}

/** Reads the cleartext header; `undefined` when the blob is not a well-formed ciphertext of ours. */
export function parseSymmetricHeader(blob: Uint8Array): CiphertextHeader | undefined {
  if (blob.byteLength < CIPHERTEXT_OVERHEAD) return undefined
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
  if (b[0] !== VERSION || b[1] !== ALG_SYMMETRIC_DEFAULT || b[3] !== 0) return undefined
  const kind = b[2]
  if (kind !== 0 && kind !== 1) return undefined
  if (b.readUInt32BE(80) !== b.length - CIPHERTEXT_OVERHEAD) return undefined
  return {
    account: readAccount(b, 4),
    keyId: readKeyId(b, 12, kind === 1),
    materialVersion: b.readUInt32BE(28),
    backingKeyId: b.subarray(32, 64),
  }
}

/**
 * Decrypts a symmetric ciphertext whose header was read by {@link parseSymmetricHeader}.
 * Throws {@link InvalidCiphertextException} (with AWS's empty message) when the material,
 * the encryption context or any byte does not match.
 */
export function openSymmetric(material: SealingMaterial, blob: Uint8Array, contextBytes: Buffer): Buffer {
  const secret = material.secret
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
  if (secret === undefined || !material.backingKeyId.equals(b.subarray(32, 64))) throw new InvalidCiphertextException('')
  const n = b.length - CIPHERTEXT_OVERHEAD
  const body = HEADER_LENGTH + IV_LENGTH
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, b.subarray(HEADER_LENGTH, body))
    decipher.setAAD(b.subarray(0, HEADER_LENGTH))
    decipher.setAAD(contextBytes)
    decipher.setAuthTag(b.subarray(body + n))
    const first = decipher.update(b.subarray(body, body + n))
    const last = decipher.final()
    return last.length === 0 ? first : Buffer.concat([first, last])
  } catch {
    throw new InvalidCiphertextException('')
  }
}

function writeAccount(out: Buffer, off: number, account: string): void {
  const n = Number(account)
  out.writeUInt32BE(Math.floor(n / 0x1_0000_0000), off)
  out.writeUInt32BE(n % 0x1_0000_0000, off + 4)
}

function readAccount(b: Buffer, off: number): string {
  const n = b.readUInt32BE(off) * 0x1_0000_0000 + b.readUInt32BE(off + 4)
  return String(n).padStart(12, '0')
}

function writeKeyId(out: Buffer, off: number, keyId: string, mrk: boolean): void {
  const hex = mrk ? keyId.slice(4) : keyId.replaceAll('-', '')
  out.write(hex, off, 16, 'hex')
}

function readKeyId(b: Buffer, off: number, mrk: boolean): string {
  const hex = b.toString('hex', off, off + 16)
  if (mrk) return `mrk-${hex}`
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
