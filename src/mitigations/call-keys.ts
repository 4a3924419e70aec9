/**
 * Identities of KMS calls for caches and coalescing: the encryption context in a canonical
 * form (pairs sorted by key, as the Encryption SDK serializes it, so `{a, b}` and `{b, a}` are
 * the same context), a ciphertext blob by its bytes, and the data-key request of a
 * GenerateDataKey or Decrypt call.
 *
 * Requests reuse their input objects (the workload memoizes call specs), so each identity is
 * computed once per object and kept in a WeakMap: the hit path of a cache is a WeakMap
 * lookup and a Map lookup, no hashing and no string building.
 */
import type { KmsCallSpec } from '../load/index.ts'

const contextIds = new WeakMap<object, string>()
const blobIds = new WeakMap<Uint8Array, string>()
const requestIds = new WeakMap<object, string>()

/**
 * The canonical form of an encryption context: length-prefixed pairs sorted by key (an empty
 * or absent context is `''`; the Encryption SDK caches it like any other).
 */
export function contextId(context: Readonly<Record<string, string>> | undefined): string {
  if (context === undefined) return ''
  let id = contextIds.get(context)
  if (id === undefined) {
    id = Object.keys(context)
      .sort()
      .map((k) => `${k.length}:${k}${(context[k] as string).length}:${context[k] as string}`)
      .join('')
    contextIds.set(context, id)
  }
  return id
}

/** A ciphertext blob's identity: its bytes (base64), computed once per array. */
export function blobId(blob: Uint8Array): string {
  let id = blobIds.get(blob)
  if (id === undefined) {
    id = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('base64')
    blobIds.set(blob, id)
  }
  return id
}

/**
 * What a GenerateDataKey or Decrypt call asks for, as a string: for GenerateDataKey the key,
 * the data key's size and the encryption context; for Decrypt the ciphertext (which names its
 * key) and the encryption context. `undefined` for other operations.
 */
export function dataKeyRequestId(call: KmsCallSpec): string | undefined {
  const input = call.input as object
  let id = requestIds.get(input)
  if (id !== undefined) return id
  if (call.operation === 'GenerateDataKey') {
    const i = call.input as {
      KeyId?: string
      KeySpec?: string
      NumberOfBytes?: number
      EncryptionContext?: Record<string, string>
    }
    id = `G\n${i.KeyId ?? ''}\n${i.KeySpec ?? `n${i.NumberOfBytes ?? ''}`}\n${contextId(i.EncryptionContext)}`
  } else if (call.operation === 'Decrypt') {
    const i = call.input as { CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> }
    if (i.CiphertextBlob === undefined) return undefined
    // A message's own data key (the workload's data-key model) is a data key of its own.
    const own = call.meta.dataKey !== undefined ? `#${call.meta.dataKey}` : ''
    id = `D\n${blobId(i.CiphertextBlob)}${own}\n${contextId(i.EncryptionContext)}`
  } else return undefined
  requestIds.set(input, id)
  return id
}
