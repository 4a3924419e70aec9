/**
 * GenerateRandom (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html):
 * 1-1024 random bytes from node:crypto's CSPRNG. No key; authorized by IAM only
 * (`kms:GenerateRandom`). NumberOfBytes is optional in the model but required by the
 * service, with the message recorded against AWS.
 */
import type { Handler } from '../context.ts'
import { UnsupportedOperationException, ValidationException } from '../errors.ts'
import { assertNoRecipient } from '../symmetric.ts'

/** Handler of GenerateRandom. */
export const generateRandom: Handler<'GenerateRandom'> = (ctx, input) => {
  if (input.NumberOfBytes === undefined) throw new ValidationException('NumberOfBytes is required.')
  // Random bytes from a CloudHSM key store's cluster: kms-bench models no custom key stores.
  if (input.CustomKeyStoreId !== undefined) {
    throw new UnsupportedOperationException(
      'kms-bench does not model custom key stores: GenerateRandom with CustomKeyStoreId is not supported.',
    )
  }
  assertNoRecipient(input)
  ctx.core.authorize(ctx, { action: 'kms:GenerateRandom' })
  return { Plaintext: ctx.core.random.bytes(input.NumberOfBytes) }
}
