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
 *    64   12  random message id
 *    76    4  header check: a word hash of bytes [0, 64), see below
 *    80    4  payload length n
 *    84   12  AES-GCM IV (random)
 *    96    n  AES-256-GCM ciphertext
 *  96+n   16  AES-GCM tag
 *
 * The AAD is bytes [0, 84) followed by the canonical encryption context encoding, so any
 * change to the header, the key id, the material version or the context fails the tag.
 *
 * The header check lets a corrupted blob be told apart from a well-formed ciphertext of a
 * key the caller cannot reach: the key lookup happens before the tag can be checked, and a
 * flipped byte in the account or key id would otherwise name some other (missing) key and
 * answer AccessDeniedException. With the check, any single changed byte in [0, 64) answers
 * InvalidCiphertextException, as corrupt ciphertext does in AWS; a well-formed blob naming
 * a missing key still gets AWS's AccessDeniedException. (Not a security measure: the GCM
 * tag is.)
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
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
  const prefix = headerPrefix(material, account, keyId)
  // Hot path: TypedArray#set instead of Buffer#copy (no argument-checking wrapper), and one
  // random fill for the message id and the IV, [64, 96), with the check and length written
  // over [76, 84) afterwards.
  out.set(prefix.bytes, 0)
  random.fill(out, 64, 32)
  out.writeUInt32BE(prefix.check, 76)
  out.writeUInt32BE(n, 80)
  const iv = out.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH)
  const cipher = createCipheriv('aes-256-gcm', secretKeyOf(secret), iv)
  cipher.setAAD(out.subarray(0, HEADER_LENGTH))
  cipher.setAAD(contextBytes)
  const body = HEADER_LENGTH + IV_LENGTH
  const head = cipher.update(plaintext)
  out.set(head, body)
  const tail = cipher.final()
  if (tail.length > 0) out.set(tail, body + head.length)
  out.set(cipher.getAuthTag(), body + n)
  return out
}

// One KeyObject per secret, made once: createCipheriv with a raw Buffer key imports the
// bytes into a new native key on every call. Secrets are immutable (a rotation or an import
// makes a new material version, with a new buffer).
const secretKeys = new WeakMap<Buffer, KeyObject>()

function secretKeyOf(secret: Buffer): KeyObject {
  let k = secretKeys.get(secret)
  if (k === undefined) {
    k = createSecretKey(secret)
    secretKeys.set(secret, k)
  }
  return k
}

/** A blob as a Buffer over the same bytes (no copy; the blob itself when it is one). */
function asBuffer(blob: Uint8Array): Buffer {
  return Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
}

/** Bytes [0, 64) of every ciphertext of one key and material version, and their header check. */
interface HeaderPrefix {
  readonly account: string
  readonly keyId: string
  readonly bytes: Buffer
  readonly check: number
}

// Bytes [0, 64) depend only on the key and its material version, so Encrypt and
// GenerateDataKey copy them instead of re-encoding the account and key id on every call.
// Material versions are immutable; multi-Region replicas share theirs (same key id).
const prefixes = new WeakMap<SealingMaterial, HeaderPrefix>()

function headerPrefix(material: SealingMaterial, account: string, keyId: string): HeaderPrefix {
  const cached = prefixes.get(material)
  if (cached !== undefined && cached.keyId === keyId && cached.account === account) return cached
  const bytes = Buffer.alloc(64)
  bytes[0] = VERSION
  bytes[1] = ALG_SYMMETRIC_DEFAULT
  const mrk = keyId.startsWith('mrk-')
  bytes[2] = mrk ? 1 : 0
  bytes[3] = 0
  writeAccount(bytes, 4, account)
  writeKeyId(bytes, 12, keyId, mrk)
  bytes.writeUInt32BE(material.version, 28)
  material.backingKeyId.copy(bytes, 32, 0, 32)
  const prefix = { account, keyId, bytes, check: headerCheck(bytes) }
  prefixes.set(material, prefix)
  return prefix
}

/** Reads the cleartext header; `undefined` when the blob is not a well-formed ciphertext of ours. */
export function parseSymmetricHeader(blob: Uint8Array): CiphertextHeader | undefined {
  if (blob.byteLength < CIPHERTEXT_OVERHEAD) return undefined
  const b = asBuffer(blob)
  if (b[0] !== VERSION || b[1] !== ALG_SYMMETRIC_DEFAULT || b[3] !== 0) return undefined
  const kind = b[2]
  if (kind !== 0 && kind !== 1) return undefined
  if (word(b, 80) >>> 0 !== b.length - CIPHERTEXT_OVERHEAD) return undefined
  if (word(b, 76) >>> 0 !== headerCheck(b)) return undefined
  const names = headerNames(b)
  return new ParsedHeader(names.account, names.keyId, word(b, 28) >>> 0, b)
}

/** A parsed header; the backing key id is a view made only when read (Decrypt compares the bytes in place). */
class ParsedHeader implements CiphertextHeader {
  readonly account: string
  readonly keyId: string
  readonly materialVersion: number
  readonly #blob: Buffer

  constructor(account: string, keyId: string, materialVersion: number, blob: Buffer) {
    this.account = account
    this.keyId = keyId
    this.materialVersion = materialVersion
    this.#blob = blob
  }

  get backingKeyId(): Buffer {
    return this.#blob.subarray(32, 64)
  }
}

/** Big-endian 32-bit word at `i` (as int32). Plain index reads: about 4x faster on this path than readUInt32BE. */
function word(b: Buffer, i: number): number {
  return ((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)
}

/** The account and key id strings of the last header parsed, with the bytes [2] and [4, 28) they came from. */
const lastNames = { words: [-1, 0, 0, 0, 0, 0, 0], account: '', keyId: '' }

/**
 * The account and key id a header names. Decrypt traffic mostly names a few keys, so the
 * strings of the last header are reused when its bytes match (6 word compares instead of
 * building two strings on every call, which was a third of the cost of parsing).
 */
function headerNames(b: Buffer): { account: string; keyId: string } {
  const w = lastNames.words
  if (
    w[0] === b[2] &&
    w[1] === word(b, 4) &&
    w[2] === word(b, 8) &&
    w[3] === word(b, 12) &&
    w[4] === word(b, 16) &&
    w[5] === word(b, 20) &&
    w[6] === word(b, 24)
  ) {
    return lastNames
  }
  lastNames.account = readAccount(b, 4)
  lastNames.keyId = readKeyId(b, 12, b[2] === 1)
  lastNames.words = [b[2] as number, word(b, 4), word(b, 8), word(b, 12), word(b, 16), word(b, 20), word(b, 24)]
  return lastNames
}

/**
 * Decrypts a symmetric ciphertext whose header was read by {@link parseSymmetricHeader}.
 * Throws {@link InvalidCiphertextException} (with AWS's empty message) when the material,
 * the encryption context or any byte does not match.
 */
export function openSymmetric(material: SealingMaterial, blob: Uint8Array, contextBytes: Buffer): Buffer {
  const secret = material.secret
  const b = asBuffer(blob)
  if (secret === undefined || material.backingKeyId.compare(b, 32, 64, 0, 32) !== 0)
    throw new InvalidCiphertextException('')
  const n = b.length - CIPHERTEXT_OVERHEAD
  const body = HEADER_LENGTH + IV_LENGTH
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKeyOf(secret), b.subarray(HEADER_LENGTH, body))
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

/**
 * Polynomial word hash of bytes [0, 64): h = Σ wᵢ·31^(15-i) mod 2³². A change δ ≠ 0 to one
 * word changes h by δ·31^k, and 31^k is odd (invertible mod 2³²), so every single-byte
 * change is detected. About 16 multiply-adds: cheaper than CRC32 on the hot path.
 */
function headerCheck(b: Buffer): number {
  let h = 0
  for (let i = 0; i < 64; i += 4) h = (Math.imul(h, 31) + word(b, i)) | 0
  return h >>> 0
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

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function readKeyId(b: Buffer, off: number, mrk: boolean): string {
  // Built from a byte table: cheaper than toString('hex') plus five slices on Decrypt's path.
  let id = mrk ? 'mrk-' : ''
  for (let i = 0; i < 16; i++) {
    if (!mrk && (i === 4 || i === 6 || i === 8 || i === 10)) id += '-'
    id += HEX_BYTE[b[off + i] as number] as string
  }
  return id
}
