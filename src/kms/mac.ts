/**
 * HMAC with KMS keys (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html):
 * GenerateMac and VerifyMac. Each HMAC key spec supports exactly one algorithm
 * (HMAC_224 ↔ HMAC_SHA_224, ...); any other answers AWS's InvalidKeyUsageException
 * "Algorithm X is incompatible with key spec Y." (LocalStack's AWS-recorded snapshot).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { incompatibleAlgorithm } from './key-usage.ts'
import { currentMaterial, macAlgorithmsOf, type KmsKey } from './key.ts'
import type { MacAlgorithmSpec } from './model.generated.ts'

const MAC_HASH: Record<MacAlgorithmSpec, string> = {
  HMAC_SHA_224: 'sha224',
  HMAC_SHA_256: 'sha256',
  HMAC_SHA_384: 'sha384',
  HMAC_SHA_512: 'sha512',
}

/** Throws InvalidKeyUsageException unless `algorithm` is the one `key`'s spec supports. */
export function checkMacAlgorithm(key: KmsKey, algorithm: MacAlgorithmSpec): void {
  if (!macAlgorithmsOf(key).includes(algorithm)) throw incompatibleAlgorithm(algorithm, key.keySpec)
}

/** HMAC of `message` under the key's current material (HMAC keys are never rotated). */
export function computeMac(key: KmsKey, algorithm: MacAlgorithmSpec, message: Uint8Array): Buffer {
  const secret = currentMaterial(key).secret
  if (secret === undefined) throw new Error(`key ${key.keyId} has no HMAC secret`)
  return createHmac(MAC_HASH[algorithm], secret).update(message).digest()
}

/** Whether `mac` is the HMAC of `message`, compared in constant time. */
export function macMatches(key: KmsKey, algorithm: MacAlgorithmSpec, message: Uint8Array, mac: Uint8Array): boolean {
  const expected = computeMac(key, algorithm, message)
  return mac.byteLength === expected.length && timingSafeEqual(expected, mac)
}
