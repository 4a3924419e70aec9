/**
 * Symmetric encryption with a KMS key (SYMMETRIC_DEFAULT, AES-256-GCM): shared by Encrypt,
 * Decrypt, ReEncrypt and GenerateDataKey*.
 */
import type { CiphertextHeader } from './ciphertext.ts'
import type { OpContext } from './context.ts'
import type { EncryptionContext } from './encryption-context.ts'
import {
  AccessDeniedException,
  IncorrectKeyException,
  InvalidCiphertextException,
  UnsupportedOperationException,
} from './errors.ts'
import { currentMaterial, type KmsKey } from './key.ts'

/** AWS's text when a ciphertext names a key the caller cannot reach in this Region. */
export const UNKNOWN_CIPHERTEXT_KEY_MESSAGE =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.'

/** AWS's text when the KeyId given to Decrypt/ReEncrypt is not the ciphertext's key. */
export const INCORRECT_KEY_MESSAGE =
  'The key ID in the request does not identify a CMK that can perform this operation.'

/** Encrypts `plaintext` under the key's current material, binding the encryption context. */
export function encryptSymmetric(
  ctx: OpContext,
  key: KmsKey,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Buffer {
  return ctx.core.ciphertexts.seal(
    currentMaterial(key),
    key.account,
    key.keyId,
    plaintext,
    ctx.core.contexts.encode(context),
    ctx.core.random,
  )
}

/** A symmetric ciphertext's key and parsed header (parsed once on Decrypt's hot path). */
export interface CiphertextSource {
  readonly key: KmsKey
  readonly header: CiphertextHeader
}

/**
 * Finds the key a symmetric ciphertext names (in the caller's Region), checking it against
 * an explicitly given key, and returns it with the parsed header for {@link decryptSymmetric}.
 * Throws InvalidCiphertextException for a malformed blob, AccessDeniedException for an
 * unknown key, IncorrectKeyException for a mismatch.
 */
export function ciphertextSource(ctx: OpContext, blob: Uint8Array, expected: KmsKey | undefined): CiphertextSource {
  const header = ctx.core.ciphertexts.parse(blob)
  if (header === undefined) throw new InvalidCiphertextException('')
  if (expected !== undefined && (expected.keyId !== header.keyId || expected.account !== header.account)) {
    throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE)
  }
  const key = ctx.core.store.peekRegion(header.account, ctx.caller.region)?.keys.get(header.keyId)
  if (key === undefined) throw new AccessDeniedException(UNKNOWN_CIPHERTEXT_KEY_MESSAGE)
  return { key, header }
}

/**
 * Decrypts a symmetric ciphertext made by `key` (any of its material versions). `header` is
 * the blob's parsed header when the caller already has it.
 */
export function decryptSymmetric(
  ctx: OpContext,
  key: KmsKey,
  blob: Uint8Array,
  context: EncryptionContext | undefined,
  header: CiphertextHeader | undefined = ctx.core.ciphertexts.parse(blob),
): Buffer {
  const material = header === undefined ? undefined : key.material.versions[header.materialVersion]
  if (material === undefined) throw new InvalidCiphertextException('')
  return ctx.core.ciphertexts.open(material, blob, ctx.core.contexts.encode(context))
}

/**
 * Refuses the `Recipient` parameter (Nitro Enclaves attestation,
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-nitro-enclaves.html): KMS
 * would verify the attestation document and return `CiphertextForRecipient` instead of the
 * plaintext. kms-bench cannot verify attestations, and silently returning plaintext would
 * hide the difference, so the request fails with a message that says why.
 */
export function assertNoRecipient(input: { Recipient?: unknown }): void {
  if (input.Recipient !== undefined) {
    throw new UnsupportedOperationException(
      'kms-bench does not support the Recipient parameter (Nitro Enclaves attestation).',
    )
  }
}
