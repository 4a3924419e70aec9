/**
 * How the Hierarchical keyring mitigation wraps a data key under branch key materials, and the
 * same wrapping modelled for virtual time.
 *
 * The keyring makes each data key locally and wraps it with AES-256-GCM under a key derived
 * from the branch key and a per-message salt (`framework/aws-kms/aws-kms-hierarchical-keyring.md`
 * derives with KDF-CTR; ours uses HKDF-SHA256, a format of our own). It is the application's
 * own CPU work, like the AES-GCM of its payload: in virtual time nothing reads what it makes
 * (reads decrypt messages stored before the run, and the local payload crypto they would feed
 * is not executed either), so there it is modelled: the same sizes and branch key index, no
 * HKDF, no AES, no random bytes. Real-time runs, which perform the payload crypto with the
 * data keys, wrap and unwrap for real.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/** Wraps and unwraps data keys under branch key materials. */
export interface WrapCodec {
  /** The encrypted data key of `dataKey` under `material`, naming branch key `index`. */
  wrap(material: Uint8Array, dataKey: Uint8Array, index: number): Uint8Array
  /** The data key of `edk` (made by `wrap` of the same codec); throws when it does not authenticate. */
  unwrap(material: Uint8Array, edk: Uint8Array): Uint8Array
  /** A new data key of `bytes` bytes. */
  dataKey(bytes: number): Uint8Array
}

const MAGIC = Buffer.from('HK1')
const INFO = 'kms-bench hierarchical wrap'
/** magic (3) + branch key index (4) */
const HEAD = 7
const SALT = 16
const IV = 12
const TAG = 16
/** Bytes an encrypted data key adds to its data key. */
export const WRAP_OVERHEAD = HEAD + SALT + IV + TAG

function head(index: number): Buffer {
  const h = Buffer.alloc(HEAD)
  MAGIC.copy(h)
  h.writeUInt32BE(index, 3)
  return h
}

/** The branch key index an encrypted data key names, or `undefined` when it is not one of ours. */
export function wrappedIndex(edk: Uint8Array): number | undefined {
  return edk.length > WRAP_OVERHEAD && Buffer.from(edk.buffer, edk.byteOffset, 3).equals(MAGIC)
    ? Buffer.from(edk.buffer, edk.byteOffset + 3, 4).readUInt32BE(0)
    : undefined
}

/** Real wrapping: HKDF-SHA256 of the materials and a random salt, then AES-256-GCM with the header as AAD. */
export const realWrap: WrapCodec = {
  wrap(material, dataKey, index) {
    const salt = randomBytes(SALT)
    const iv = randomBytes(IV)
    const k = Buffer.from(hkdfSync('sha256', material, salt, INFO, 32))
    const c = createCipheriv('aes-256-gcm', k, iv)
    const h = head(index)
    c.setAAD(h)
    const body = Buffer.concat([c.update(dataKey), c.final()])
    return Buffer.concat([h, salt, iv, body, c.getAuthTag()])
  },
  unwrap(material, edk) {
    const b = Buffer.from(edk.buffer, edk.byteOffset, edk.byteLength)
    const salt = b.subarray(HEAD, HEAD + SALT)
    const k = Buffer.from(hkdfSync('sha256', material, salt, INFO, 32))
    const d = createDecipheriv('aes-256-gcm', k, b.subarray(HEAD + SALT, HEAD + SALT + IV))
    d.setAAD(b.subarray(0, HEAD))
    d.setAuthTag(b.subarray(b.length - TAG))
    return new Uint8Array(Buffer.concat([d.update(b.subarray(HEAD + SALT + IV, b.length - TAG)), d.final()]))
  },
  dataKey: (bytes) => new Uint8Array(randomBytes(bytes)),
}

/**
 * Modelled wrapping (virtual time): an encrypted data key of the real size that names its
 * branch key index, with zero bytes where the salt, IV, ciphertext and tag would be; data keys
 * are zero bytes. Nothing in a virtual-time run reads either.
 */
export const modelledWrap: WrapCodec = {
  wrap(_material, dataKey, index) {
    const edk = new Uint8Array(dataKey.length + WRAP_OVERHEAD)
    edk.set(head(index))
    return edk
  },
  unwrap: (_material, edk) => new Uint8Array(edk.length - WRAP_OVERHEAD),
  dataKey: (bytes) => new Uint8Array(bytes),
}
