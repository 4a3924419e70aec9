/**
 * GenerateDataKeyWithoutPlaintext
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyWithoutPlaintext.html):
 * like GenerateDataKey, but only the encrypted copy of the data key is returned. The
 * plaintext key is wiped once sealed.
 */
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { assertKeyState } from '../key-state.ts'
import { requireSymmetricEncryptionKey } from '../key-usage.ts'
import { resolveKeyId } from '../resolve.ts'
import { encryptSymmetric } from '../symmetric.ts'
import { dataKeyLength } from './generate-data-key.ts'

/** Handler of GenerateDataKeyWithoutPlaintext. */
export const generateDataKeyWithoutPlaintext: Handler<'GenerateDataKeyWithoutPlaintext'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  const length = dataKeyLength(input.KeySpec, input.NumberOfBytes)
  ctx.core.authorize(ctx, {
    action: 'kms:GenerateDataKeyWithoutPlaintext',
    key,
    ...(input.EncryptionContext !== undefined ? { encryptionContext: input.EncryptionContext } : {}),
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
  })
  assertKeyState(key, 'crypto')
  requireSymmetricEncryptionKey(key, 'GenerateDataKeyWithoutPlaintext')
  endDryRun(input)
  const plaintext = ctx.core.random.bytes(length)
  const blob = encryptSymmetric(ctx, key, plaintext, input.EncryptionContext)
  plaintext.fill(0)
  return { CiphertextBlob: blob, KeyId: key.arn }
}
