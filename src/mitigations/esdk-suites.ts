/**
 * The AWS Encryption SDK's algorithm suites, as far as data-key caching cares: the caching
 * CMM caches only suites with a key derivation function ("cacheSafe"), because only then does
 * each message get its own derived key (kms-facts.md §5.1;
 * aws/aws-encryption-sdk-javascript `modules/material-management/src/node_algorithms.ts`).
 */

/** One algorithm suite: its id, name and whether the caching CMM caches its materials. */
export interface EsdkSuite {
  readonly id: number
  readonly name: string
  /** true for suites with an HKDF (only those are cached) */
  readonly cacheSafe: boolean
}

/** Every suite the Encryption SDK for JavaScript defines. */
export const ESDK_SUITES: readonly EsdkSuite[] = [
  { id: 0x0014, name: 'ALG_AES128_GCM_IV12_TAG16', cacheSafe: false },
  { id: 0x0046, name: 'ALG_AES192_GCM_IV12_TAG16', cacheSafe: false },
  { id: 0x0078, name: 'ALG_AES256_GCM_IV12_TAG16', cacheSafe: false },
  { id: 0x0114, name: 'ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256', cacheSafe: true },
  { id: 0x0146, name: 'ALG_AES192_GCM_IV12_TAG16_HKDF_SHA256', cacheSafe: true },
  { id: 0x0178, name: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256', cacheSafe: true },
  { id: 0x0214, name: 'ALG_AES128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256', cacheSafe: true },
  { id: 0x0346, name: 'ALG_AES192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', cacheSafe: true },
  { id: 0x0378, name: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', cacheSafe: true },
  { id: 0x0478, name: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY', cacheSafe: true },
  { id: 0x0578, name: 'ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384', cacheSafe: true },
]

/** The default suite of Encryption SDK 2.x+ (commitment policy REQUIRE_ENCRYPT_REQUIRE_DECRYPT). */
export const DEFAULT_ESDK_SUITE = 0x0578

/** The suite with this id or name, if the SDK defines it. */
export function esdkSuite(idOrName: number | string): EsdkSuite | undefined {
  return ESDK_SUITES.find((s) => s.id === idOrName || s.name === idOrName)
}
