/**
 * Symmetric encryption with a KMS key (SYMMETRIC_DEFAULT, AES-256-GCM): shared by Encrypt,
 * Decrypt, ReEncrypt and GenerateDataKey*.
 */
import { openSymmetric, parseSymmetricHeader, sealSymmetric } from './ciphertext.ts'
import type { OpContext } from './context.ts'
import { encodeEncryptionContext, type EncryptionContext } from './encryption-context.ts'
import { AccessDeniedException, IncorrectKeyException, InvalidCiphertextException } from './errors.ts'
import { currentMaterial, type KmsKey } from './key.ts'

/** AWS's text when a ciphertext names a key the caller cannot reach in this Region. */
export const UNKNOWN_CIPHERTEXT_KEY_MESSAGE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.'

/** AWS's text when the KeyId given to Decrypt/ReEncrypt is not the ciphertext's key. */
export const INCORRECT_KEY_MESSAGE = 'The key ID in the request does not identify a CMK that can perform this operation.'

/** Encrypts `plaintext` under the key's current material, binding the encryption context. */
export function encryptSymmetric(ctx: OpContext, key: KmsKey, plaintext: Uint8Array, context: EncryptionContext | undefined): Buffer {
  return sealSymmetric(currentMaterial(key), key.account, key.keyId, plaintext, encodeEncryptionContext(context), ctx.core.random)
}

/**
 * Finds the key a symmetric ciphertext names (in the caller's Region), checking it against
 * an explicitly given key. Throws InvalidCiphertextException for a malformed blob,
 * AccessDeniedException for an unknown key, IncorrectKeyException for a mismatch.
 */
export function ciphertextKey(ctx: OpContext, blob: Uint8Array, expected: KmsKey | undefined): KmsKey {
  const header = parseSymmetricHeader(blob)
  if (header === undefined) throw new InvalidCiphertextException('')
  if (expected !== undefined && (expected.keyId !== header.keyId || expected.account !== header.account)) {
    throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE)
  }
  const key = ctx.core.store.peekRegion(header.account, ctx.caller.region)?.keys.get(header.keyId)
  if (key === undefined) throw new AccessDeniedException(UNKNOWN_CIPHERTEXT_KEY_MESSAGE)
  return key
}

/** Decrypts a symmetric ciphertext made by `key` (any of its material versions). */
export function decryptSymmetric(key: KmsKey, blob: Uint8Array, context: EncryptionContext | undefined): Buffer {
  const header = parseSymmetricHeader(blob)
  const material = header === undefined ? undefined : key.material.versions[header.materialVersion]
  if (material === undefined) throw new InvalidCiphertextException('')
  return openSymmetric(material, blob, encodeEncryptionContext(context))
}
