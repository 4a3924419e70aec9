/**
 * Generation of key material with node:crypto, for every key spec the core supports.
 * HMAC key lengths follow the key spec (HMAC_224 → 28 bytes, ...,
 * https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html).
 */
import { createHash, generateKeyPairSync } from 'node:crypto'
import type { KeyMaterialVersion } from './key.ts'
import type { KeySpec } from './model.generated.ts'
import type { RandomPool } from './random-pool.ts'

/** Key lengths of the HMAC key specs, in bytes. */
export const HMAC_KEY_BYTES: Partial<Record<KeySpec, number>> = {
  HMAC_224: 28,
  HMAC_256: 32,
  HMAC_384: 48,
  HMAC_512: 64,
}
/** Modulus lengths of the RSA key specs. */
export const RSA_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 }
/** OpenSSL curve names of the ECC key specs. */
export const EC_CURVES: Partial<Record<KeySpec, string>> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
  ECC_SECG_P256K1: 'secp256k1',
  SM2: 'SM2',
}

/** True when the core can make material for `spec`. */
export function isSupportedKeySpec(spec: KeySpec): boolean {
  return spec === 'SYMMETRIC_DEFAULT' || spec in HMAC_KEY_BYTES || spec in RSA_BITS || spec in EC_CURVES
}

/** Creates a new version of key material for `spec`. */
export function newKeyMaterial(spec: KeySpec, version: number, now: number, random: RandomPool): KeyMaterialVersion {
  const id = random.bytes(32).toString('hex')
  const backingKeyId = createHash('sha256').update(id).digest()
  const base = { version, id, createdAt: now, backingKeyId }
  if (spec === 'SYMMETRIC_DEFAULT') return { ...base, secret: random.bytes(32) }
  const hmacBytes = HMAC_KEY_BYTES[spec]
  if (hmacBytes !== undefined) return { ...base, secret: random.bytes(hmacBytes) }
  const rsaBits = RSA_BITS[spec]
  const pair =
    rsaBits !== undefined
      ? generateKeyPairSync('rsa', { modulusLength: rsaBits, publicExponent: 0x10001 })
      : EC_CURVES[spec] !== undefined
        ? generateKeyPairSync('ec', { namedCurve: EC_CURVES[spec] as string })
        : undefined
  if (pair === undefined) throw new Error(`unsupported key spec ${spec}`)
  return {
    ...base,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicKeyDer: pair.publicKey.export({ type: 'spki', format: 'der' }),
  }
}
