/**
 * GenerateDataKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html):
 * a random data key, returned in plaintext and encrypted under a symmetric KMS key.
 * Exactly one of KeySpec (AES_256, AES_128) and NumberOfBytes (1-1024) is required.
 */
import type { Handler } from '../context.ts'
import { endDryRun } from '../dry-run.ts'
import { ValidationException } from '../errors.ts'
import { assertKeyState } from '../key-state.ts'
import { requireSymmetricEncryptionKey } from '../key-usage.ts'
import type { DataKeySpec } from '../model.generated.ts'
import { resolveKeyId } from '../resolve.ts'
import { assertNoRecipient, encryptSymmetric } from '../symmetric.ts'

const SPEC_BYTES: Record<DataKeySpec, number> = { AES_256: 32, AES_128: 16 }

/** Data key length from KeySpec / NumberOfBytes, with AWS's message when not exactly one is given. */
export function dataKeyLength(keySpec: DataKeySpec | undefined, numberOfBytes: number | undefined): number {
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw new ValidationException('Please specify either number of bytes or key spec.')
  }
  return keySpec !== undefined ? SPEC_BYTES[keySpec] : (numberOfBytes as number)
}

/** Handler of GenerateDataKey. */
export const generateDataKey: Handler<'GenerateDataKey'> = (ctx, input) => {
  const { key, alias } = resolveKeyId(ctx, input.KeyId)
  ctx.audit.resources.push(key)
  const length = dataKeyLength(input.KeySpec, input.NumberOfBytes)
  assertNoRecipient(input)
  ctx.core.authorize(ctx, {
    action: 'kms:GenerateDataKey',
    key,
    ...(input.EncryptionContext !== undefined ? { encryptionContext: input.EncryptionContext } : {}),
    ...(alias !== undefined ? { requestAlias: alias } : {}),
    ...(input.GrantTokens !== undefined ? { grantTokens: input.GrantTokens } : {}),
  })
  assertKeyState(key, 'crypto')
  requireSymmetricEncryptionKey(key, 'GenerateDataKey')
  endDryRun(input)
  const plaintext = ctx.core.random.bytes(length)
  return { CiphertextBlob: encryptSymmetric(ctx, key, plaintext, input.EncryptionContext), Plaintext: plaintext, KeyId: key.arn }
}
