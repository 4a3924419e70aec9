/**
 * Decrypt (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html). For
 * symmetric ciphertext the KeyId is optional (the blob names its key); a KeyId that is not
 * the ciphertext's key gives IncorrectKeyException. RSA ciphertext names no key, so the
 * KeyId and the EncryptionAlgorithm used to encrypt are required.
 */
import { asymmetricDecrypt, checkAsymmetricEncryption, decryptionSource } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { algorithmConditions } from '../algorithm-conditions.ts'
import { incompatibleAlgorithm } from '../key-usage.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertNoRecipient, decryptSymmetric } from '../symmetric.ts'

/** Handler of Decrypt. */
export const decrypt: Handler<'Decrypt'> = (ctx, input) => {
  const named = input.KeyId !== undefined ? resolveKeyId(ctx, input.KeyId) : undefined
  const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT'
  assertNoRecipient(input)
  const { key, header } = decryptionSource(ctx, input.CiphertextBlob, named?.key, 'Decrypt')
  ctx.audit.resources.push(key)
  // One object, absent members undefined (no spread of temporaries on the hot path).
  ctx.core.authorize(ctx, {
    action: 'kms:Decrypt',
    key,
    encryptionContext: input.EncryptionContext,
    requestAlias: named?.alias,
    grantTokens: input.GrantTokens,
    conditions: algorithmConditions(algorithm),
  })
  assertKeyState(key, 'crypto')
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    checkAsymmetricEncryption(key, algorithm, input.EncryptionContext)
    endDryRun(input)
    return {
      KeyId: key.arn,
      Plaintext: asymmetricDecrypt(key, algorithm, input.CiphertextBlob),
      EncryptionAlgorithm: algorithm,
    }
  }
  if (algorithm !== 'SYMMETRIC_DEFAULT') throw incompatibleAlgorithm(algorithm, key.keySpec)
  endDryRun(input)
  const plaintext = decryptSymmetric(ctx, key, input.CiphertextBlob, input.EncryptionContext, header)
  // The material that decrypted it (symmetric keys only; AWS-recorded, model-supplement.ts).
  const material = header !== undefined ? key.material.versions[header.materialVersion]?.id : undefined
  return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: algorithm, KeyMaterialId: material }
}
