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
const BODY = HEADER_LENGTH + IV_LENGTH
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

/** Bytes [0, 64) of every ciphertext of one key and material version, and their header check. */
interface HeaderPrefix {
  readonly account: string
  readonly keyId: string
  readonly bytes: Buffer
  readonly check: number
}

/** What a codec keeps per material version: the secret's KeyObject and the last header prefix made with it. */
interface MaterialEntry {
  readonly secret: Buffer
  readonly keyObject: KeyObject
  /** The material's backing key id (the object the words were read from) and its 8 words. */
  readonly backingKeyId: Buffer
  readonly backingWords: Int32Array
  prefix: HeaderPrefix | undefined
}

/** AAD scratch buffers kept per context-encoding length (one per length: `setAAD` reads the whole view). */
const MAX_AAD_SCRATCH = 64

/**
 * Seals, parses and opens symmetric ciphertexts for one core. It keeps what the hot path
 * would otherwise redo on every call, as state of its own (no module-level caches):
 *
 * - per material version, the secret as a `KeyObject` (createCipheriv with a raw key imports
 *   the bytes into a new native key on every call) and bytes [0, 64) of its ciphertexts
 *   (they depend only on the key and the material version: Encrypt copies them instead of
 *   re-encoding the account and key id); material versions are immutable, and multi-Region
 *   replicas share theirs (same key id);
 * - the account and key id strings of the last header parsed (Decrypt traffic mostly names
 *   a few keys: 6 word compares instead of building two strings per call);
 * - scratch buffers for the IV, the tag and the AAD: node:crypto copies them before it
 *   returns, and a `subarray` view of the blob per argument cost more than the copies (four
 *   views were a third of an in-process Decrypt's time beyond the AES-GCM work).
 */
export class CiphertextCodec {
  readonly #materials = new WeakMap<SealingMaterial, MaterialEntry>()
  /** Bytes [2] and the words of [4, 28) of the last header parsed (-1: none yet; byte 2 is 0 or 1). */
  readonly #lastWords = new Int32Array([-1, 0, 0, 0, 0, 0, 0])
  /** The words of bytes [0, 64) of the header being parsed (each byte read once, see {@link readPrefixWords}). */
  readonly #words = new Int32Array(16)
  #lastAccount = ''
  #lastKeyId = ''
  readonly #iv: Uint8Array
  readonly #tag: Uint8Array
  readonly #aads = new Map<number, Uint8Array>()
  /** The last material's entry and the last AAD scratch (most calls repeat both: no lookup). */
  #lastMaterial: SealingMaterial | undefined
  #lastEntry: MaterialEntry | undefined
  #lastAadLength = -1
  #lastAad: Uint8Array | undefined

  constructor() {
    // Off-heap (allocUnsafeSlow): node:crypto reads them in place, without copying them out of the JS heap.
    const slab = Buffer.allocUnsafeSlow(32)
    this.#iv = new Uint8Array(slab.buffer, slab.byteOffset, IV_LENGTH)
    this.#tag = new Uint8Array(slab.buffer, slab.byteOffset + 16, TAG_LENGTH)
  }

  /** Encrypts `plaintext` under `material`, binding `contextBytes` (the canonical encryption context). */
  seal(
    material: SealingMaterial,
    account: string,
    keyId: string,
    plaintext: Uint8Array,
    contextBytes: Uint8Array,
    random: RandomPool,
  ): Buffer {
    const entry = this.#entry(material)
    const n = plaintext.byteLength
    const out = Buffer.allocUnsafe(CIPHERTEXT_OVERHEAD + n)
    const prefix = this.#prefix(entry, material, account, keyId)
    // Hot path: TypedArray#set instead of Buffer#copy (no argument-checking wrapper), and one
    // random fill for the message id and the IV, [64, 96), with the check and length written
    // over [76, 84) afterwards.
    out.set(prefix.bytes, 0)
    random.fill(out, 64, 32)
    writeWord(out, 76, prefix.check)
    writeWord(out, 80, n)
    const iv = this.#iv
    for (let i = 0; i < IV_LENGTH; i++) iv[i] = out[HEADER_LENGTH + i] as number
    const aad = this.#aad(contextBytes.byteLength)
    aad.set(prefix.bytes, 0)
    for (let i = 64; i < HEADER_LENGTH; i++) aad[i] = out[i] as number
    if (contextBytes.byteLength > 0) aad.set(contextBytes, HEADER_LENGTH)
    const cipher = createCipheriv('aes-256-gcm', entry.keyObject, iv)
    cipher.setAAD(aad)
    const head = cipher.update(plaintext)
    out.set(head, BODY)
    const tail = cipher.final()
    if (tail.length > 0) out.set(tail, BODY + head.length)
    out.set(cipher.getAuthTag(), BODY + n)
    return out
  }

  /** Reads the cleartext header; `undefined` when the blob is not a well-formed ciphertext of ours. */
  parse(blob: Uint8Array): CiphertextHeader | undefined {
    // One pass over [0, 64) gives both the header check and the words compared below (reading
    // the bytes again per test was most of the parse).
    const words = this.#words
    if (!wellFormed(blob, words)) return undefined
    const w = this.#lastWords
    const kind = words[0] === PREFIX_WORD_MRK ? 1 : 0
    // The strings of the last header are reused when its bytes match (building two strings on
    // every call was a third of the cost of parsing).
    if (
      w[0] !== kind ||
      w[1] !== words[1] ||
      w[2] !== words[2] ||
      w[3] !== words[3] ||
      w[4] !== words[4] ||
      w[5] !== words[5] ||
      w[6] !== words[6]
    ) {
      this.#lastAccount = readAccount(blob, 4)
      this.#lastKeyId = readKeyId(blob, 12, kind === 1)
      w[0] = kind
      for (let k = 1; k < 7; k++) w[k] = words[k] as number
    }
    return new ParsedHeader(this.#lastAccount, this.#lastKeyId, (words[7] as number) >>> 0, blob)
  }

  /**
   * Decrypts a symmetric ciphertext whose header was read by {@link parse}. Throws
   * {@link InvalidCiphertextException} (with AWS's empty message) when the material, the
   * encryption context or any byte does not match.
   */
  open(material: SealingMaterial, blob: Uint8Array, contextBytes: Uint8Array): Buffer {
    if (material.secret === undefined) throw new InvalidCiphertextException('')
    const entry = this.#entry(material)
    if (!sameBackingKeyId(entry.backingWords, blob)) throw new InvalidCiphertextException('')
    const n = blob.byteLength - CIPHERTEXT_OVERHEAD
    const iv = this.#iv
    const tag = this.#tag
    for (let i = 0; i < IV_LENGTH; i++) iv[i] = blob[HEADER_LENGTH + i] as number
    for (let i = 0; i < TAG_LENGTH; i++) tag[i] = blob[BODY + n + i] as number
    const aad = this.#aad(contextBytes.byteLength)
    const bytes = blob.buffer
    const at = blob.byteOffset
    // The header through one view and a block copy: a byte loop of 84 re-checked its two
    // arrays on every byte (the costliest part of a Decrypt beyond the AES-GCM work).
    aad.set(new Uint8Array(bytes, at, HEADER_LENGTH), 0)
    // Most Decrypts have no encryption context: no call for an empty copy.
    if (contextBytes.byteLength > 0) aad.set(contextBytes, HEADER_LENGTH)
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.keyObject, iv)
      decipher.setAAD(aad)
      decipher.setAuthTag(tag)
      const first = decipher.update(new Uint8Array(bytes, at + BODY, n))
      const last = decipher.final()
      return last.length === 0 ? first : Buffer.concat([first, last])
    } catch {
      throw new InvalidCiphertextException('')
    }
  }

  /** The material's entry; its KeyObject is made once (secrets are immutable: a rotation or an import makes a new version). */
  #entry(material: SealingMaterial): MaterialEntry {
    const secret = material.secret
    if (secret === undefined) throw new Error('symmetric key material has no secret')
    let entry = material === this.#lastMaterial ? this.#lastEntry : this.#materials.get(material)
    if (entry === undefined || entry.secret !== secret || entry.backingKeyId !== material.backingKeyId) {
      const backingKeyId = material.backingKeyId
      const backingWords = new Int32Array(8)
      for (let k = 0; k < 8; k++) backingWords[k] = word(backingKeyId, 4 * k)
      entry = { secret, keyObject: createSecretKey(secret), backingKeyId, backingWords, prefix: undefined }
      this.#materials.set(material, entry)
    }
    this.#lastMaterial = material
    this.#lastEntry = entry
    return entry
  }

  #prefix(entry: MaterialEntry, material: SealingMaterial, account: string, keyId: string): HeaderPrefix {
    const cached = entry.prefix
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
    entry.prefix = prefix
    return prefix
  }

  /** The AAD scratch for a context encoding of `contextLength` bytes (a fresh buffer beyond the kept lengths). */
  #aad(contextLength: number): Uint8Array {
    if (contextLength === this.#lastAadLength) return this.#lastAad as Uint8Array
    let aad = this.#aads.get(contextLength)
    if (aad === undefined) {
      aad = Buffer.allocUnsafe(HEADER_LENGTH + contextLength)
      if (this.#aads.size < MAX_AAD_SCRATCH) this.#aads.set(contextLength, aad)
    }
    this.#lastAadLength = contextLength
    this.#lastAad = aad
    return aad
  }
}

/**
 * Reads the cleartext header, without any codec's cache (fresh strings every time); `undefined`
 * when the blob is not a well-formed ciphertext of ours. The core's calls use {@link CiphertextCodec.parse}.
 */
export function parseSymmetricHeader(blob: Uint8Array): CiphertextHeader | undefined {
  if (!wellFormed(blob)) return undefined
  return new ParsedHeader(readAccount(blob, 4), readKeyId(blob, 12, blob[2] === 1), word(blob, 28) >>> 0, blob)
}

/**
 * Format version, algorithm, key id kind, reserved byte, length field and header check; leaves
 * the words of bytes [0, 64) in `words` (what {@link CiphertextCodec.parse} compares next).
 */
function wellFormed(b: Uint8Array, words = new Int32Array(16)): boolean {
  if (b.byteLength < CIPHERTEXT_OVERHEAD) return false
  const check = readPrefixWords(b, words)
  const w0 = words[0]
  return (w0 === PREFIX_WORD_UUID || w0 === PREFIX_WORD_MRK) && trailerMatches(b, check)
}

/** Word 0 of a well-formed header: version 1, algorithm 1, key id kind 0 (UUID) or 1 (mrk), reserved 0. */
const PREFIX_WORD_UUID = (VERSION << 24) | (ALG_SYMMETRIC_DEFAULT << 16)
const PREFIX_WORD_MRK = PREFIX_WORD_UUID | (1 << 8)

/** The length field names the payload's length and the check field holds `check`. */
function trailerMatches(b: Uint8Array, check: number): boolean {
  return word(b, 80) >>> 0 === b.byteLength - CIPHERTEXT_OVERHEAD && word(b, 76) >>> 0 === check
}

/**
 * Writes the 16 words of bytes [0, 64) into `out` and returns their {@link headerCheck}, with
 * the byte reads written out (no helper call per word whether or not the compiler inlines it).
 */
function readPrefixWords(b: Uint8Array, out: Int32Array): number {
  let h = 0
  for (let k = 0; k < 16; k++) {
    const i = 4 * k
    const v =
      ((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)
    out[k] = v
    h = (Math.imul(h, 31) + v) | 0
  }
  return h >>> 0
}

/** A parsed header; the backing key id is a view made only when read (Decrypt compares the bytes in place). */
class ParsedHeader implements CiphertextHeader {
  readonly account: string
  readonly keyId: string
  readonly materialVersion: number
  readonly #blob: Uint8Array

  constructor(account: string, keyId: string, materialVersion: number, blob: Uint8Array) {
    this.account = account
    this.keyId = keyId
    this.materialVersion = materialVersion
    this.#blob = blob
  }

  get backingKeyId(): Buffer {
    return Buffer.from(this.#blob.buffer, this.#blob.byteOffset + 32, 32)
  }
}

/** Whether bytes [32, 64) of the blob are the material's backing key id, given as its words (word compares, no view). */
function sameBackingKeyId(backingWords: Int32Array, b: Uint8Array): boolean {
  for (let k = 0; k < 8; k++) {
    const i = 32 + 4 * k
    const v =
      ((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)
    if (v !== backingWords[k]) return false
  }
  return true
}

/** Big-endian 32-bit word at `i` (as int32). Plain index reads: about 4x faster on this path than readUInt32BE. */
function word(b: Uint8Array, i: number): number {
  return ((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)
}

function writeWord(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24
  b[i + 1] = v >>> 16
  b[i + 2] = v >>> 8
  b[i + 3] = v
}

/**
 * Polynomial word hash of bytes [0, 64): h = Σ wᵢ·31^(15-i) mod 2³². A change δ ≠ 0 to one
 * word changes h by δ·31^k, and 31^k is odd (invertible mod 2³²), so every single-byte
 * change is detected. About 16 multiply-adds: cheaper than CRC32 on the hot path.
 */
function headerCheck(b: Uint8Array): number {
  return readPrefixWords(b, new Int32Array(16))
}

function writeAccount(out: Buffer, off: number, account: string): void {
  const n = Number(account)
  out.writeUInt32BE(Math.floor(n / 0x1_0000_0000), off)
  out.writeUInt32BE(n % 0x1_0000_0000, off + 4)
}

function readAccount(b: Uint8Array, off: number): string {
  const n = (word(b, off) >>> 0) * 0x1_0000_0000 + (word(b, off + 4) >>> 0)
  return String(n).padStart(12, '0')
}

function writeKeyId(out: Buffer, off: number, keyId: string, mrk: boolean): void {
  const hex = mrk ? keyId.slice(4) : keyId.replaceAll('-', '')
  out.write(hex, off, 16, 'hex')
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function readKeyId(b: Uint8Array, off: number, mrk: boolean): string {
  // Built from a byte table: cheaper than toString('hex') plus five slices on Decrypt's path.
  let id = mrk ? 'mrk-' : ''
  for (let i = 0; i < 16; i++) {
    if (!mrk && (i === 4 || i === 6 || i === 8 || i === 10)) id += '-'
    id += HEX_BYTE[b[off + i] as number] as string
  }
  return id
}
