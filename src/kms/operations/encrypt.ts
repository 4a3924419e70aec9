/**
 * Encrypt (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html): up to
 * 4096 bytes under a symmetric key (AES-256-GCM, encryption context as AAD), or up to the
 * RSAES-OAEP limit of the key spec under an RSA key (EncryptionAlgorithm required, no
 * encryption context).
 */
import { algorithmConditions } from '../algorithm-conditions.ts'
import { asymmetricEncrypt, checkAsymmetricEncryption } from '../asymmetric.ts'
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { incompatibleAlgorithm, requireKeyUsage } from '../key-usage.ts'
import { resolveKeyId } from '../resolve.ts'
import { encryptSymmetric } from '../symmetric.ts'

/** Handler of Encrypt. */
export const encrypt: Handler<'Encrypt'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT'
  // One object, absent members undefined (no spread of temporaries on the hot path).
  ctx.core.authorize(ctx, {
    action: 'kms:Encrypt',
    key,
    encryptionContext: input.EncryptionContext,
    requestAlias: alias,
    grantTokens: input.GrantTokens,
    conditions: algorithmConditions(algorithm),
  })
  assertKeyState(key, 'crypto')
  requireKeyUsage(key, 'ENCRYPT_DECRYPT', 'Encrypt')
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    checkAsymmetricEncryption(key, algorithm, input.EncryptionContext, input.Plaintext.byteLength)
    endDryRun(input)
    return {
      CiphertextBlob: asymmetricEncrypt(key, algorithm, input.Plaintext),
      KeyId: key.arn,
      EncryptionAlgorithm: algorithm,
    }
  }
  if (algorithm !== 'SYMMETRIC_DEFAULT') throw incompatibleAlgorithm(algorithm, key.keySpec)
  // The 4096-byte limit of symmetric Plaintext is the model's length constraint, checked by validateInput.
  endDryRun(input)
  return {
    CiphertextBlob: encryptSymmetric(ctx, key, input.Plaintext, input.EncryptionContext),
    KeyId: key.arn,
    EncryptionAlgorithm: algorithm,
  }
}
