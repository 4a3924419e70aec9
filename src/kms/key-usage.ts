/**
 * Which key usages each key spec allows, and the checks operations make on a key's usage
 * (https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html).
 */
import { InvalidKeyUsageException } from './errors.ts'
import type { KmsKey } from './key.ts'
import type { KeySpec, KeyUsageType } from './model.generated.ts'

const ALLOWED_USAGES: Record<KeySpec, readonly KeyUsageType[]> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
  SM2: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'],
}

/** True when `usage` is valid for keys of `spec`. */
export function isUsageAllowed(spec: KeySpec, usage: KeyUsageType): boolean {
  return ALLOWED_USAGES[spec].includes(usage)
}

/** Throws InvalidKeyUsageException (AWS's message) unless `key` has `usage`. */
export function requireKeyUsage(key: KmsKey, usage: KeyUsageType, op: string): void {
  if (key.keyUsage !== usage) {
    throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${op}.`)
  }
}

/** Throws InvalidKeyUsageException unless `key` is a symmetric encryption key (SYMMETRIC_DEFAULT). */
export function requireSymmetricEncryptionKey(key: KmsKey, op: string): void {
  requireKeyUsage(key, 'ENCRYPT_DECRYPT', op)
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`${key.arn} key spec is ${key.keySpec} which is not valid for ${op}.`)
  }
}

/**
 * AWS's InvalidKeyUsageException when an algorithm does not fit the key spec, e.g.
 * "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096." (recorded by AWS
 * users for Encrypt, and in the LocalStack snapshot for GenerateMac/VerifyMac).
 */
export function incompatibleAlgorithm(algorithm: string, keySpec: KeySpec): InvalidKeyUsageException {
  return new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${keySpec}.`)
}
