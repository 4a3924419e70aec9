/**
 * Decrypt (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html). For
 * symmetric ciphertext the KeyId is optional (the blob names its key); a KeyId that is not
 * the ciphertext's key gives IncorrectKeyException.
 */
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { InvalidKeyUsageException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { resolveKeyId } from '../resolve.ts'
import { ciphertextKey, decryptSymmetric } from '../symmetric.ts'

export const decrypt: Handler<'Decrypt'> = (ctx, input) => {
  const named = input.KeyId !== undefined ? resolveKeyId(ctx, input.KeyId) : undefined
  const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT'
  if (named !== undefined && named.key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`kms-bench: asymmetric Decrypt with ${named.key.keySpec} is not implemented yet`)
  }
  const key = ciphertextKey(ctx, input.CiphertextBlob, named?.key)
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, {
    action: 'kms:Decrypt',
    key,
    ...(input.EncryptionContext !== undefined ? { encryptionContext: input.EncryptionContext } : {}),
    ...(named?.alias !== undefined ? { requestAlias: named.alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
    conditions: { 'kms:EncryptionAlgorithm': algorithm },
  })
  assertKeyState(key, 'crypto')
  if (algorithm !== 'SYMMETRIC_DEFAULT') throw new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`)
  endDryRun(input)
  const plaintext = decryptSymmetric(key, input.CiphertextBlob, input.EncryptionContext)
  return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: algorithm }
}
