/**
 * Canonical encoding of an encryption context, authenticated as AAD
 * (https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
 *
 * Pairs are sorted by the UTF-8 bytes of their keys and every key and value is length
 * prefixed, so that the encoding is injective: `{ab: "c"}` and `{a: "bc"}` (or any other
 * re-split of the same characters) can never produce the same bytes. The peers (local-kms,
 * LocalStack, moto) concatenate without delimiters and get this wrong.
 *
 *   uint32 pairCount, then per pair: uint32 keyLen, key bytes, uint32 valueLen, value bytes
 */

/** An encryption context: string keys to string values. */
export type EncryptionContext = Readonly<Record<string, string>>

const EMPTY = Buffer.alloc(4)

/** An encoding, with the pairs (in enumeration order) it was made from. */
interface Encoded {
  readonly keys: readonly string[]
  readonly values: readonly string[]
  readonly bytes: Buffer
}

/** Encodings an {@link EncryptionContextEncoder} compares by content (the most recent ones). */
const KEPT_ENCODINGS = 8

/**
 * {@link encodeEncryptionContext} remembering encodings two ways: per context object (load
 * runs in-process send the same objects again and again, one per tenant, often more than a
 * few) and, for objects it has not seen, its last few encodings by content (through the
 * endpoint every request's JSON parses to fresh objects with the same few contexts: they are
 * found by comparing the pairs, without adding each fresh object to the per-object memo). A kept
 * encoding is used only while the object still enumerates the very same pairs, so a changed
 * object is encoded afresh. Callers only read the bytes (AAD). One per core.
 */
export class EncryptionContextEncoder {
  readonly #byObject = new WeakMap<object, Encoded>()
  readonly #recent: Encoded[] = []
  /** Where the next new encoding goes once {@link KEPT_ENCODINGS} are kept. */
  #next = 0
  /** The encoding found or made last (tried first). */
  #last: Encoded | undefined

  /** The canonical, injective byte encoding of `context` (as {@link encodeEncryptionContext}). */
  encode(context: EncryptionContext | undefined): Buffer {
    if (context === undefined) return EMPTY
    const known = this.#byObject.get(context)
    if (known !== undefined && samePairs(context, known)) return known.bytes
    // Enumeration sees the same pairs as Object.keys only for plain objects (nothing enumerable inherited).
    const proto = Object.getPrototypeOf(context)
    if (proto !== Object.prototype && proto !== null) return encodeFresh(context)
    const last = this.#last
    if (last !== undefined && samePairs(context, last)) return last.bytes
    const recent = this.#recent
    for (let i = 0; i < recent.length; i++) {
      const e = recent[i] as Encoded
      if (e !== last && samePairs(context, e)) {
        this.#last = e
        return e.bytes
      }
    }
    const keys: string[] = []
    const values: string[] = []
    for (const k in context) {
      keys.push(k)
      values.push(context[k] as string)
    }
    const e = { keys, values, bytes: encodeFresh(context) }
    this.#byObject.set(context, e)
    if (recent.length < KEPT_ENCODINGS) recent.push(e)
    else {
      recent[this.#next] = e
      this.#next = (this.#next + 1) % KEPT_ENCODINGS
    }
    this.#last = e
    return e.bytes
  }
}

/** Whether `context` enumerates exactly the pairs of `e`, in the same order. */
function samePairs(context: EncryptionContext, e: Encoded): boolean {
  let n = 0
  for (const k in context) {
    if (k !== e.keys[n] || context[k] !== e.values[n]) return false
    n++
  }
  return n === e.keys.length
}

/** The canonical, injective byte encoding of `context` (order of pairs does not matter). */
export function encodeEncryptionContext(context: EncryptionContext | undefined): Buffer {
  return context === undefined ? EMPTY : encodeFresh(context)
}

/** Keys whose UTF-16 order is their UTF-8 byte order (no character beyond U+007F). */
const ASCII = /^[\u0000-\u007f]*$/

function encodeFresh(context: EncryptionContext): Buffer {
  const keys = Object.keys(context)
  if (keys.length === 0) return EMPTY
  // Sorted by the UTF-8 bytes of the keys: for ASCII keys, the default (UTF-16) sort is that order.
  if (keys.every((k) => ASCII.test(k))) keys.sort()
  else keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))
  let size = 4
  for (const k of keys) size += 8 + Buffer.byteLength(k, 'utf8') + Buffer.byteLength(context[k] as string, 'utf8')
  const out = Buffer.allocUnsafe(size)
  out.writeUInt32BE(keys.length, 0)
  let o = 4
  for (const k of keys) {
    o = writeString(out, o, k)
    o = writeString(out, o, context[k] as string)
  }
  return out
}

/** Writes `uint32 length, UTF-8 bytes` at `o`; returns the offset after them. */
function writeString(out: Buffer, o: number, s: string): number {
  const n = out.write(s, o + 4, 'utf8')
  out.writeUInt32BE(n, o)
  return o + 4 + n
}
