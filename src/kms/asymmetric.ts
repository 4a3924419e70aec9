/**
 * Asymmetric cryptography with KMS keys (node:crypto): RSAES-OAEP encryption, RSA and ECDSA
 * signatures, ECDH key agreement, data key pairs, and the choice of key a Decrypt or
 * ReEncrypt uses.
 *
 * Formats follow AWS (https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html):
 * - RSA ciphertext is the bare RSAES-OAEP output (modulus length, no header): KMS "cannot
 *   store metadata in ciphertext generated with asymmetric keys" (API_Encrypt.html), so
 *   Decrypt needs the KeyId, and ciphertext made outside KMS with GetPublicKey's key decrypts.
 * - Signatures are what OpenSSL verifies with GetPublicKey's DER: PKCS #1 v1.5, PSS with
 *   MGF1 over the same hash and a salt as long as the digest (as KMS signs), ECDSA as DER
 *   `SEQUENCE { r, s }`.
 * - MessageType DIGEST signs the given digest as is. node:crypto always hashes what it signs,
 *   so DIGEST signatures are built from primitives node:crypto does expose: raw RSA
 *   (`privateEncrypt`) with EMSA-PSS / EMSA-PKCS1-v1_5 encoding (RFC 8017 §9), and ECDSA
 *   (SEC 1 §4.1) with the point multiplication done by node:crypto's ECDH.
 */
import {
  constants,
  createECDH,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  privateEncrypt,
  privateDecrypt,
  publicDecrypt,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto'
import { parseSymmetricHeader, type CiphertextHeader } from './ciphertext.ts'
import type { OpContext } from './context.ts'
import type { EncryptionContext } from './encryption-context.ts'
import {
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  UnsupportedOperationException,
  ValidationException,
} from './errors.ts'
import { EC_CURVES, RSA_BITS } from './key-material.ts'
import { incompatibleAlgorithm } from './key-usage.ts'
import {
  currentMaterial,
  encryptionAlgorithmsOf,
  signingAlgorithmsOf,
  type KeyMaterialVersion,
  type KmsKey,
} from './key.ts'
import type {
  DataKeyPairSpec,
  EncryptionAlgorithmSpec,
  KeySpec,
  MessageType,
  SigningAlgorithmSpec,
} from './model.generated.ts'
import { ciphertextSource, INCORRECT_KEY_MESSAGE } from './symmetric.ts'

// ---- which key decrypts -----------------------------------------------------------------

/** The key that decrypts a blob, and the blob's header when it is a symmetric ciphertext. */
export interface DecryptionSource {
  readonly key: KmsKey
  readonly header: CiphertextHeader | undefined
}

/**
 * The key that must decrypt `blob` in Decrypt or ReEncrypt (`op`), given the key the request
 * named (if any). Symmetric ciphertext names its key, so the KeyId is optional and must
 * match (IncorrectKeyException otherwise, also when it names an HMAC or signing key, as
 * recorded against AWS in LocalStack's snapshot); asymmetric ciphertext names nothing, so
 * the KeyId is required (without it the blob is just invalid ciphertext).
 */
export function decryptionSource(
  ctx: OpContext,
  blob: Uint8Array,
  named: KmsKey | undefined,
  op: string,
): DecryptionSource {
  if (named === undefined || named.keySpec === 'SYMMETRIC_DEFAULT') return ciphertextSource(ctx, blob, named)
  const symmetricBlob = parseSymmetricHeader(blob) !== undefined
  if (named.keyUsage === 'ENCRYPT_DECRYPT') {
    if (symmetricBlob && blob.byteLength !== modulusBytes(named)) throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE)
    return { key: named, header: undefined }
  }
  if (symmetricBlob) throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE)
  throw new InvalidKeyUsageException(`${named.arn} key usage is ${named.keyUsage} which is not valid for ${op}.`)
}

// ---- RSAES-OAEP ---------------------------------------------------------------------------

const OAEP_HASH: Partial<Record<EncryptionAlgorithmSpec, { name: string; length: number }>> = {
  RSAES_OAEP_SHA_1: { name: 'sha1', length: 20 },
  RSAES_OAEP_SHA_256: { name: 'sha256', length: 32 },
}

/**
 * Message text of the ValidationException for an encryption context given with an
 * asymmetric key. AWS documents that asymmetric algorithms "do not support an encryption
 * context" (API_Encrypt.html); its exact error text is not recorded anywhere we could find.
 */
export const ASYMMETRIC_CONTEXT_MESSAGE = 'EncryptionContext is not supported with asymmetric KMS keys.'

function modulusBytes(key: KmsKey): number {
  return (RSA_BITS[key.keySpec] ?? 0) / 8
}

/**
 * Largest plaintext RSAES-OAEP takes for a key spec and algorithm: k − 2·hLen − 2 (RFC 8017
 * §7.1.1), which gives AWS's table (RSA_2048: 214 / 190, RSA_3072: 342 / 318, RSA_4096:
 * 470 / 446 bytes for OAEP_SHA_1 / OAEP_SHA_256).
 */
export function oaepPlaintextLimit(keySpec: KeySpec, algorithm: EncryptionAlgorithmSpec): number {
  const bits = RSA_BITS[keySpec]
  const hash = OAEP_HASH[algorithm]
  if (bits === undefined || hash === undefined) return 0
  return bits / 8 - 2 * hash.length - 2
}

function hasContext(context: EncryptionContext | undefined): boolean {
  if (context === undefined) return false
  for (const _ in context) return true
  return false
}

/**
 * Checks an asymmetric Encrypt / Decrypt / ReEncrypt side before any work: the algorithm
 * must be one the key supports, no encryption context, and (when known) the plaintext
 * within the OAEP limit, with AWS's messages.
 */
export function checkAsymmetricEncryption(
  key: KmsKey,
  algorithm: EncryptionAlgorithmSpec,
  context: EncryptionContext | undefined,
  plaintextLength?: number,
): void {
  if (!encryptionAlgorithmsOf(key).includes(algorithm)) throw incompatibleAlgorithm(algorithm, key.keySpec)
  if (hasContext(context)) throw new ValidationException(ASYMMETRIC_CONTEXT_MESSAGE)
  if (algorithm === 'SM2PKE')
    throw new UnsupportedOperationException(
      'kms-bench cannot run SM2PKE encryption: node:crypto (Node 20) has the SM2 curve but no SM2 public-key encryption (GB/T 32918.4).',
    )
  if (plaintextLength !== undefined) {
    const limit = oaepPlaintextLimit(key.keySpec, algorithm)
    if (plaintextLength > limit) {
      throw new ValidationException(
        `Algorithm ${algorithm} and key spec ${key.keySpec} cannot encrypt data larger than ${limit} bytes.`,
      )
    }
  }
}

/** RSAES-OAEP encryption with the key's public key (checked by {@link checkAsymmetricEncryption}). */
export function asymmetricEncrypt(key: KmsKey, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Buffer {
  const publicKey = currentMaterial(key).publicKey
  const hash = OAEP_HASH[algorithm]
  if (publicKey === undefined || hash === undefined) throw incompatibleAlgorithm(algorithm, key.keySpec)
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash.name }, plaintext)
}

/**
 * RSAES-OAEP decryption with the key's private key. Any failure (wrong key, wrong algorithm,
 * corrupt bytes) is InvalidCiphertextException with AWS's empty message.
 */
export function asymmetricDecrypt(key: KmsKey, algorithm: EncryptionAlgorithmSpec, blob: Uint8Array): Buffer {
  const privateKey = currentMaterial(key).privateKey
  const hash = OAEP_HASH[algorithm]
  if (privateKey === undefined || hash === undefined) throw incompatibleAlgorithm(algorithm, key.keySpec)
  if (blob.byteLength !== modulusBytes(key)) throw new InvalidCiphertextException('')
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash.name }, blob)
  } catch {
    throw new InvalidCiphertextException('')
  }
}

// ---- signatures -----------------------------------------------------------------------------

type HashName = 'sha256' | 'sha384' | 'sha512'

/** How one signing algorithm signs. */
export interface SigningScheme {
  readonly hash: HashName
  /** Digest length in bytes: the DIGEST message length and the PSS salt length. */
  readonly digestLength: number
  readonly kind: 'pss' | 'pkcs1' | 'ecdsa'
}

const SCHEMES: Partial<Record<SigningAlgorithmSpec, SigningScheme>> = {
  RSASSA_PSS_SHA_256: { hash: 'sha256', digestLength: 32, kind: 'pss' },
  RSASSA_PSS_SHA_384: { hash: 'sha384', digestLength: 48, kind: 'pss' },
  RSASSA_PSS_SHA_512: { hash: 'sha512', digestLength: 64, kind: 'pss' },
  RSASSA_PKCS1_V1_5_SHA_256: { hash: 'sha256', digestLength: 32, kind: 'pkcs1' },
  RSASSA_PKCS1_V1_5_SHA_384: { hash: 'sha384', digestLength: 48, kind: 'pkcs1' },
  RSASSA_PKCS1_V1_5_SHA_512: { hash: 'sha512', digestLength: 64, kind: 'pkcs1' },
  ECDSA_SHA_256: { hash: 'sha256', digestLength: 32, kind: 'ecdsa' },
  ECDSA_SHA_384: { hash: 'sha384', digestLength: 48, kind: 'ecdsa' },
  ECDSA_SHA_512: { hash: 'sha512', digestLength: 64, kind: 'ecdsa' },
}

/**
 * Checks a Sign/Verify request against the key (usage already checked): the algorithm must
 * be one the key spec supports (ECDSA's hash follows the curve), and a DIGEST message must be
 * exactly one digest long ("Digest is invalid length for algorithm X.", as recorded).
 */
export function checkSigning(
  key: KmsKey,
  algorithm: SigningAlgorithmSpec,
  messageType: MessageType,
  message: Uint8Array,
): SigningScheme {
  if (!signingAlgorithmsOf(key).includes(algorithm)) throw incompatibleAlgorithm(algorithm, key.keySpec)
  const scheme = SCHEMES[algorithm]
  if (scheme === undefined)
    throw new UnsupportedOperationException(
      `kms-bench cannot make ${algorithm} signatures: node:crypto (Node 20) has no SM2DSA with the SM3 Z-value (GB/T 32918.2).`,
    )
  if (messageType === 'DIGEST' && message.byteLength !== scheme.digestLength) {
    throw new ValidationException(`Digest is invalid length for algorithm ${algorithm}.`)
  }
  return scheme
}

function rsaPadding(scheme: SigningScheme): { padding: number; saltLength?: number } {
  return scheme.kind === 'pss'
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.digestLength }
    : { padding: constants.RSA_PKCS1_PADDING }
}

/** Signs `message` (RAW: hashed here; DIGEST: the digest itself) with the material's private key. */
export function signMessage(
  material: KeyMaterialVersion,
  scheme: SigningScheme,
  messageType: MessageType,
  message: Uint8Array,
): Buffer {
  const privateKey = material.privateKey
  if (privateKey === undefined) throw new Error('signing key material has no private key')
  if (messageType === 'RAW') {
    if (scheme.kind === 'ecdsa') return nodeSign(scheme.hash, message, { key: privateKey, dsaEncoding: 'der' })
    return nodeSign(scheme.hash, message, { key: privateKey, ...rsaPadding(scheme) })
  }
  const digest = Buffer.from(message.buffer, message.byteOffset, message.byteLength)
  if (scheme.kind === 'ecdsa') return ecdsaSignDigest(privateKey, digest)
  if (scheme.kind === 'pkcs1')
    return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(scheme.hash, digest))
  const modBits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0
  return privateEncrypt(
    { key: privateKey, padding: constants.RSA_NO_PADDING },
    emsaPssEncode(scheme, digest, modBits - 1),
  )
}

/** Whether `signature` is a valid signature of `message` by the material's key. Never throws for bad bytes. */
export function verifySignature(
  material: KeyMaterialVersion,
  scheme: SigningScheme,
  messageType: MessageType,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const { publicKey, privateKey } = material
  if (publicKey === undefined || privateKey === undefined) return false
  try {
    if (messageType === 'RAW') {
      if (scheme.kind === 'ecdsa')
        return nodeVerify(scheme.hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)
      return nodeVerify(scheme.hash, message, { key: publicKey, ...rsaPadding(scheme) }, signature)
    }
    const digest = Buffer.from(message.buffer, message.byteOffset, message.byteLength)
    if (scheme.kind === 'ecdsa') return ecdsaVerifyDigest(privateKey, digest, signature)
    const modBits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0
    if (signature.byteLength !== Math.ceil(modBits / 8)) return false
    if (scheme.kind === 'pkcs1') {
      return publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature).equals(
        digestInfo(scheme.hash, digest),
      )
    }
    const em = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature)
    return emsaPssVerify(scheme, digest, em, modBits - 1)
  } catch {
    return false
  }
}

/** DER DigestInfo prefixes (RFC 8017 §9.2, note 1). */
const DIGEST_INFO_PREFIX: Record<HashName, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
}

function digestInfo(hash: HashName, digest: Buffer): Buffer {
  return Buffer.concat([DIGEST_INFO_PREFIX[hash], digest])
}

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length)
  const counter = Buffer.alloc(4)
  for (let off = 0, i = 0; off < length; i++) {
    counter.writeUInt32BE(i, 0)
    off += createHash(hash).update(seed).update(counter).digest().copy(out, off)
  }
  return out
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen, as KMS signs. */
function emsaPssEncode(scheme: SigningScheme, mHash: Buffer, emBits: number): Buffer {
  const hLen = scheme.digestLength
  const emLen = Math.ceil(emBits / 8)
  const salt = randomBytes(hLen)
  const h = createHash(scheme.hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest()
  const db = Buffer.alloc(emLen - hLen - 1)
  db[emLen - 2 * hLen - 2] = 0x01
  salt.copy(db, emLen - 2 * hLen - 1)
  const mask = mgf1(scheme.hash, h, db.length)
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number)
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits))
  const em = Buffer.concat([db, h, Buffer.from([0xbc])])
  // Raw RSA takes exactly k bytes; EM is one byte shorter when modBits ≡ 1 (mod 8).
  const k = Math.ceil((emBits + 1) / 8)
  return em.length === k ? em : Buffer.concat([Buffer.alloc(k - em.length), em])
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen; `raw` is the k-byte RSA output. */
function emsaPssVerify(scheme: SigningScheme, mHash: Buffer, raw: Buffer, emBits: number): boolean {
  const hLen = scheme.digestLength
  const emLen = Math.ceil(emBits / 8)
  if (raw.length < emLen) return false
  for (let i = 0; i < raw.length - emLen; i++) if (raw[i] !== 0) return false
  const em = raw.subarray(raw.length - emLen)
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false
  const masked = em.subarray(0, emLen - hLen - 1)
  const h = em.subarray(emLen - hLen - 1, emLen - 1)
  const topBits = 8 * emLen - emBits
  if (((masked[0] as number) & ~(0xff >> topBits) & 0xff) !== 0) return false
  const mask = mgf1(scheme.hash, h, masked.length)
  const db = Buffer.alloc(masked.length)
  for (let i = 0; i < db.length; i++) db[i] = (masked[i] as number) ^ (mask[i] as number)
  db[0] = (db[0] as number) & (0xff >> topBits)
  const psEnd = emLen - 2 * hLen - 2
  for (let i = 0; i < psEnd; i++) if (db[i] !== 0) return false
  if (db[psEnd] !== 0x01) return false
  const salt = db.subarray(db.length - hLen)
  const h2 = createHash(scheme.hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest()
  return h2.equals(h)
}

// ---- ECDSA over a given digest (SEC 1 §4.1.3, §4.1.4) ----------------------------------------

/** Group orders of the supported curves (`openssl ecparam -param_enc explicit -text`). */
const CURVE_ORDERS: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  secp521r1:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
}

const scalars = new WeakMap<KeyObject, bigint>()

function curveOf(privateKey: KeyObject): { name: string; n: bigint } {
  const name = privateKey.asymmetricKeyDetails?.namedCurve ?? ''
  const n = CURVE_ORDERS[name]
  if (n === undefined) throw new UnsupportedOperationException(`kms-bench cannot sign digests on curve ${name}.`)
  return { name, n }
}

function privateScalar(privateKey: KeyObject): bigint {
  let d = scalars.get(privateKey)
  if (d === undefined) {
    const jwk = privateKey.export({ format: 'jwk' })
    d = bytesToBigInt(Buffer.from(jwk.d ?? '', 'base64url'))
    scalars.set(privateKey, d)
  }
  return d
}

function bytesToBigInt(b: Uint8Array): bigint {
  return b.byteLength === 0 ? 0n : BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`)
}

function bigIntToBytes(v: bigint, length: number): Buffer {
  return Buffer.from(v.toString(16).padStart(length * 2, '0'), 'hex')
}

function mod(a: bigint, n: bigint): bigint {
  const r = a % n
  return r < 0n ? r + n : r
}

/** Modular inverse by the extended Euclidean algorithm (n prime, a ≠ 0 mod n). */
function invert(a: bigint, n: bigint): bigint {
  let [r0, r1] = [mod(a, n), n]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return mod(s0, n)
}

/** The x coordinate (mod n) of k·G, computed by node:crypto's ECDH; undefined for k = 0. */
function baseMultiplyX(curve: string, k: bigint, n: bigint): bigint | undefined {
  if (k === 0n) return undefined
  const ecdh = createECDH(curve)
  ecdh.setPrivateKey(bigIntToBytes(k, Math.ceil(n.toString(16).length / 2)))
  const point = ecdh.getPublicKey()
  const fieldLength = (point.length - 1) / 2
  return mod(bytesToBigInt(point.subarray(1, 1 + fieldLength)), n)
}

/** The digest as an integer, truncated to the bit length of n (SEC 1 §4.1.3 step 5). */
function digestToInt(digest: Buffer, n: bigint): bigint {
  const e = bytesToBigInt(digest)
  const excess = digest.length * 8 - n.toString(2).length
  return excess > 0 ? e >> BigInt(excess) : e
}

function ecdsaSignDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const { name, n } = curveOf(privateKey)
  const d = privateScalar(privateKey)
  const e = digestToInt(digest, n)
  const nLength = Math.ceil(n.toString(16).length / 2)
  for (;;) {
    const k = mod(bytesToBigInt(randomBytes(nLength + 8)), n - 1n) + 1n
    const r = baseMultiplyX(name, k, n)
    if (r === undefined || r === 0n) continue
    const s = mod(invert(k, n) * (e + r * d), n)
    if (s === 0n) continue
    return encodeDerSignature(r, s)
  }
}

/**
 * Verifies an ECDSA signature over a digest. KMS holds the private key d, so
 * u₁·G + u₂·Q = (u₁ + u₂·d)·G needs one base-point multiplication, which ECDH provides.
 */
function ecdsaVerifyDigest(privateKey: KeyObject, digest: Buffer, signature: Uint8Array): boolean {
  const rs = decodeDerSignature(signature)
  if (rs === undefined) return false
  const { name, n } = curveOf(privateKey)
  const [r, s] = rs
  if (r < 1n || r >= n || s < 1n || s >= n) return false
  const w = invert(s, n)
  const u = mod((digestToInt(digest, n) + r * privateScalar(privateKey)) * w, n)
  const x = baseMultiplyX(name, u, n)
  return x !== undefined && x === r
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  const body = Buffer.from(hex, 'hex')
  const content = (body[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body
  return Buffer.concat([Buffer.from([0x02]), derLength(content.length), content])
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n])
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` (SEC 1 §C.5), the signature format KMS returns. */
function encodeDerSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)])
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body])
}

function decodeDerSignature(sig: Uint8Array): [bigint, bigint] | undefined {
  const b = Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength)
  let off = 0
  const readLength = (): number | undefined => {
    const first = b[off++]
    if (first === undefined) return undefined
    if (first < 0x80) return first
    if (first !== 0x81) return undefined
    const n = b[off++]
    return n !== undefined && n >= 0x80 ? n : undefined
  }
  if (b[off++] !== 0x30) return undefined
  const seqLength = readLength()
  if (seqLength === undefined || off + seqLength !== b.length) return undefined
  const ints: bigint[] = []
  for (let i = 0; i < 2; i++) {
    if (b[off++] !== 0x02) return undefined
    const len = readLength()
    if (len === undefined || len === 0 || off + len > b.length) return undefined
    ints.push(bytesToBigInt(b.subarray(off, off + len)))
    off += len
  }
  if (off !== b.length) return undefined
  return [ints[0] as bigint, ints[1] as bigint]
}

// ---- data key pairs ----------------------------------------------------------------------

/**
 * A fresh key pair for GenerateDataKeyPair*: the private key as PKCS #8 DER and the public
 * key as X.509 SubjectPublicKeyInfo DER, the formats AWS returns
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html).
 */
export function newDataKeyPair(spec: DataKeyPairSpec): { privateKeyDer: Buffer; publicKeyDer: Buffer } {
  const bits = RSA_BITS[spec]
  const pair =
    bits !== undefined
      ? generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 })
      : generateKeyPairSync('ec', { namedCurve: EC_CURVES[spec] ?? spec })
  return {
    privateKeyDer: pair.privateKey.export({ type: 'pkcs8', format: 'der' }),
    publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }),
  }
}

// ---- key agreement -----------------------------------------------------------------------

/**
 * ECDH between the key's private key and a peer public key (DER SubjectPublicKeyInfo on the
 * same curve). A public key that does not parse or is on another curve gives
 * ValidationException with an empty message, as recorded against AWS.
 */
export function deriveEcdhSecret(key: KmsKey, peerPublicKeyDer: Uint8Array): Buffer {
  const privateKey = currentMaterial(key).privateKey
  if (privateKey === undefined) throw new Error('key agreement material has no private key')
  let peer: KeyObject
  try {
    peer = createPublicKey({ key: Buffer.from(peerPublicKeyDer), format: 'der', type: 'spki' })
  } catch {
    throw new ValidationException('')
  }
  if (
    peer.asymmetricKeyType !== 'ec' ||
    peer.asymmetricKeyDetails?.namedCurve !== privateKey.asymmetricKeyDetails?.namedCurve
  ) {
    throw new ValidationException('')
  }
  try {
    return diffieHellman({ privateKey, publicKey: peer })
  } catch {
    throw new ValidationException('')
  }
}
