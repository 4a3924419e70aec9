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

/** The last encoding of a context object, with the pairs it was made from (to tell whether it changed since). */
interface Encoded {
  readonly keys: readonly string[]
  readonly values: readonly string[]
  readonly bytes: Buffer
}

// Load runs send the same context objects again and again: their encoding is kept per object
// and reused while the object still holds the very same pairs (checked on every use, so a
// changed object is encoded afresh). Callers only read the bytes (AAD).
const encodings = new WeakMap<object, Encoded>()

function unchanged(context: EncryptionContext, e: Encoded): boolean {
  let n = 0
  for (const k in context) {
    if (k !== e.keys[n] || context[k] !== e.values[n]) return false
    n++
  }
  return n === e.keys.length
}

/** The canonical, injective byte encoding of `context` (order of pairs does not matter). */
export function encodeEncryptionContext(context: EncryptionContext | undefined): Buffer {
  if (context === undefined) return EMPTY
  const known = encodings.get(context)
  if (known !== undefined && unchanged(context, known)) return known.bytes
  const bytes = encodeFresh(context)
  const keys: string[] = []
  const values: string[] = []
  for (const k in context) {
    keys.push(k)
    values.push(context[k] as string)
  }
  encodings.set(context, { keys, values, bytes })
  return bytes
}

function encodeFresh(context: EncryptionContext): Buffer {
  const keys = Object.keys(context)
  if (keys.length === 0) return EMPTY
  const pairs = keys.map((k) => [Buffer.from(k, 'utf8'), Buffer.from(context[k] as string, 'utf8')] as const)
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]))
  let size = 4
  for (const [k, v] of pairs) size += 8 + k.length + v.length
  const out = Buffer.allocUnsafe(size)
  out.writeUInt32BE(pairs.length, 0)
  let o = 4
  for (const [k, v] of pairs) {
    out.writeUInt32BE(k.length, o)
    o += 4
    k.copy(out, o)
    o += k.length
    out.writeUInt32BE(v.length, o)
    o += 4
    v.copy(out, o)
    o += v.length
  }
  return out
}
