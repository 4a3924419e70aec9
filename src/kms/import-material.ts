/**
 * Imported key material (BYOK, https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html):
 * wrapping keys and import tokens (GetParametersForImport), unwrapping with node:crypto
 * (ImportKeyMaterial), key material ids, expiry in clock time, deletion.
 *
 * - A wrapping key is a fresh RSA key pair per GetParametersForImport (RSA_2048/3072/4096); its
 *   public key and import token are valid for 24 hours (importing-keys-get-public-key-and-token.html).
 * - Wrapping algorithms: RSAES_OAEP_SHA_1/SHA_256 (the material encrypted directly) and
 *   RSA_AES_KEY_WRAP_SHA_1/SHA_256 (an ephemeral AES-256 key under RSA-OAEP, followed by the
 *   material under that key with AES Key Wrap with Padding, RFC 5649 —
 *   importing-keys-encrypt-key-material.html). SM2PKE (China) is missing from node:crypto.
 * - Material: 256-bit for SYMMETRIC_DEFAULT; 28..64 (HMAC_224), 32..64 (HMAC_256), 48..128
 *   (HMAC_384), 64..128 (HMAC_512) bytes for HMAC; a PKCS #8 DER private key of the key spec
 *   for asymmetric keys (importing-keys-conceptual.html, "Supported key specs").
 * - The key material id is derived from the key id and the material (the API reference: "KMS
 *   assigns a unique identifier to the key material based on the KMS key ID and the imported
 *   key material"): HMAC-SHA256 keyed by the key id, in hex. Re-importing is allowed only with
 *   the same material, which yields the same id.
 */
import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  constants,
  generateKeyPairSync,
  privateDecrypt,
} from 'node:crypto'
import { buildServiceEvent } from './audit.ts'
import type { CoreServices } from './context.ts'
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  UnsupportedOperationException,
} from './errors.ts'
import { EC_CURVES, RSA_BITS } from './key-material.ts'
import type { ImportParameters, ImportState, KeyMaterialVersion, KmsKey } from './key.ts'
import type { AlgorithmSpec, WrappingKeySpec } from './model.generated.ts'
import { at } from '../util/index.ts'

/** How long a wrapping key and its import token stay valid: 24 hours (API_GetParametersForImport.html). */
export const IMPORT_PARAMETERS_TTL_MS = 24 * 60 * 60 * 1000
/** At most this many outstanding parameter sets are kept per key (older ones are dropped first). */
export const MAX_OUTSTANDING_PARAMETERS = 10
/** ValidTo may be at most 365 days after the request (API_ImportKeyMaterial.html, ValidTo). */
export const MAX_VALID_TO_MS = 365 * 24 * 60 * 60 * 1000

const TOKEN_MAGIC = Buffer.from('KBIT\x01', 'latin1')
const WRAPPING_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 }
const HMAC_RANGES: Record<string, [number, number]> = {
  HMAC_224: [28, 64],
  HMAC_256: [32, 64],
  HMAC_384: [48, 128],
  HMAC_512: [64, 128],
}

/** The import state of an EXTERNAL key; UnsupportedOperationException (AWS's text) for any other origin. */
export function importStateOf(key: KmsKey): ImportState {
  if (key.origin !== 'EXTERNAL' || key.imported === undefined)
    throw new UnsupportedOperationException(`${key.arn} origin is ${key.origin} which is not valid for this operation.`)
  return key.imported
}

/** Makes a fresh wrapping key pair and import token for `key`; returns them with the public key's DER. */
export function issueParameters(
  key: KmsKey,
  state: ImportState,
  algorithm: AlgorithmSpec,
  spec: WrappingKeySpec,
  now: number,
  randomHex: string,
): { token: Buffer; publicKeyDer: Buffer; validTo: number } {
  if (algorithm === 'SM2PKE' || spec === 'SM2')
    throw new UnsupportedOperationException(
      'kms-bench cannot wrap key material with SM2: node:crypto (Node 20) has no SM2 public-key encryption (GB/T 32918.4).',
    )
  if (algorithm === 'RSAES_PKCS1_V1_5')
    // AWS withdrew RSAES_PKCS1_V1_5 wrapping (October 2023, importing-keys-get-public-key-and-token.html).
    throw new UnsupportedOperationException('The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.')
  const bits = WRAPPING_BITS[spec] as number
  const pair = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 })
  const validTo = now + IMPORT_PARAMETERS_TTL_MS
  const kept = state.parameters.filter((p) => p.validTo > now)
  kept.push({ tokenId: randomHex, privateKey: pair.privateKey, algorithm, wrappingKeySpec: spec, validTo })
  state.parameters.splice(0, state.parameters.length, ...kept.slice(-MAX_OUTSTANDING_PARAMETERS))
  const token = Buffer.concat([TOKEN_MAGIC, Buffer.from(randomHex, 'hex'), Buffer.from(key.keyId, 'utf8')])
  return { token, publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }), validTo }
}

/** The parameters an import token names; InvalidImportTokenException or ExpiredImportTokenException otherwise. */
export function parametersOfToken(key: KmsKey, state: ImportState, token: Uint8Array, now: number): ImportParameters {
  const t = Buffer.from(token.buffer, token.byteOffset, token.byteLength)
  const invalid = new InvalidImportTokenException(`The import token is not valid for ${key.arn}.`)
  if (t.length !== TOKEN_MAGIC.length + 32 + Buffer.byteLength(key.keyId) || !t.subarray(0, 5).equals(TOKEN_MAGIC))
    throw invalid
  if (t.subarray(37).toString('utf8') !== key.keyId) throw invalid
  const id = t.subarray(5, 37).toString('hex')
  const params = state.parameters.find((p) => p.tokenId === id)
  if (params === undefined) throw invalid
  if (params.validTo <= now)
    throw new ExpiredImportTokenException(
      'The import token is expired. Use GetParametersForImport to get a new import token and public key.',
    )
  return params
}

/** Unwraps `wrapped` with the wrapping private key; InvalidCiphertextException when it does not decrypt. */
export function unwrapMaterial(params: ImportParameters, wrapped: Uint8Array): Buffer {
  const oaepHash = params.algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256'
  const rsa = (data: Uint8Array): Buffer =>
    privateDecrypt({ key: params.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data)
  try {
    if (params.algorithm.startsWith('RSAES_OAEP')) return rsa(wrapped)
    const rsaBytes = (WRAPPING_BITS[params.wrappingKeySpec] as number) / 8
    const kek = rsa(wrapped.subarray(0, rsaBytes))
    const d = createDecipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'))
    return Buffer.concat([d.update(wrapped.subarray(rsaBytes)), d.final()])
  } catch {
    throw new InvalidCiphertextException(
      `The key material could not be unwrapped with the ${params.wrappingKeySpec} wrapping key and ${params.algorithm}.`,
    )
  }
}

/**
 * Checks that unwrapped material fits the key spec and makes a material version of it (the
 * version number `version`); IncorrectKeyMaterialException naming the problem otherwise.
 */
export function materialVersion(key: KmsKey, plain: Buffer, version: number, now: number): KeyMaterialVersion {
  const spec = key.keySpec
  const wrong = (why: string): IncorrectKeyMaterialException =>
    new IncorrectKeyMaterialException(`The key material is not valid for ${spec} key ${key.arn}: ${why}.`)
  const withId = (canonical: Buffer, rest: Partial<KeyMaterialVersion>): KeyMaterialVersion => {
    const id = createHmac('sha256', key.keyId).update(canonical).digest('hex')
    return { version, id, createdAt: now, backingKeyId: createHash('sha256').update(id).digest(), ...rest }
  }
  if (spec === 'SYMMETRIC_DEFAULT') {
    if (plain.length !== 32) throw wrong(`symmetric key material is 256 bits (32 bytes), got ${plain.length} bytes`)
    return withId(plain, { secret: Buffer.from(plain) })
  }
  const range = HMAC_RANGES[spec]
  if (range !== undefined) {
    if (plain.length < range[0] || plain.length > range[1])
      throw wrong(`${spec} key material is ${range[0]} to ${range[1]} bytes, got ${plain.length}`)
    return withId(plain, { secret: Buffer.from(plain) })
  }
  let privateKey: ReturnType<typeof createPrivateKey>
  try {
    privateKey = createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' })
  } catch {
    throw wrong('asymmetric key material is a DER-encoded PKCS #8 private key')
  }
  const d = privateKey.asymmetricKeyDetails
  const bits = RSA_BITS[spec]
  const fits =
    bits !== undefined
      ? privateKey.asymmetricKeyType === 'rsa' && d?.modulusLength === bits
      : privateKey.asymmetricKeyType === 'ec' && d?.namedCurve === EC_CURVES[spec]
  if (!fits) throw wrong(`the private key is not a ${spec} key`)
  const publicKey = createPublicKey(privateKey)
  const canonical = privateKey.export({ type: 'pkcs8', format: 'der' })
  return withId(canonical, { privateKey, publicKey, publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) })
}

/**
 * Deletes material `id` of `key` (DeleteImportedKeyMaterial, or expiry): the secret is dropped,
 * the id is kept so only the same material can come back; a key whose current material goes
 * returns to PendingImport (importing-keys-delete-key-material.html).
 */
export function deleteMaterial(key: KmsKey, id: string): void {
  const state = key.imported
  if (state === undefined) return
  const info = state.materials.get(id)
  if (info !== undefined) info.present = false
  const i = key.material.versions.findIndex((v) => v.id === id)
  if (i >= 0) {
    const v = at(key.material.versions, i)
    key.material.versions[i] = { version: v.version, id: v.id, createdAt: v.createdAt, backingKeyId: v.backingKeyId }
    if (i === key.material.current && key.state !== 'PendingDeletion') key.state = 'PendingImport'
  }
  if (state.pendingRotation?.id === id) state.pendingRotation = undefined
}

/**
 * Queues the expiry of material `id` at `validTo` (clock time): KMS deletes expired material
 * and logs a DeleteExpiredKeyMaterial service event (ct-deleteexpiredkeymaterial.html). A
 * material re-imported with another ValidTo in the meantime is left alone.
 */
export function scheduleExpiry(core: CoreServices, key: KmsKey, id: string, validTo: number): void {
  core.scheduler.schedule(validTo, (at) => {
    const info = key.imported?.materials.get(id)
    if (info === undefined || !info.present || info.validTo !== validTo) return
    deleteMaterial(key, id)
    if (core.audit.enabled)
      core.audit.record(
        buildServiceEvent({
          eventName: 'DeleteExpiredKeyMaterial',
          key,
          at,
          invokedBy: 'kms.amazonaws.com',
          additionalEventData: { keyId: key.keyId, keyMaterialId: id },
        }),
      )
  })
}

/** Re-queues every pending material expiry (after a snapshot restore); expired ones go at once. */
export function rescheduleExpiries(core: CoreServices): void {
  for (const state of core.store.regions()) {
    for (const key of state.keys.values()) {
      for (const info of key.imported?.materials.values() ?? [])
        if (info.present && info.validTo !== undefined) scheduleExpiry(core, key, info.id, info.validTo)
    }
  }
}
