/**
 * GenerateRandom (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html):
 * 1-1024 random bytes from node:crypto's CSPRNG. No key; authorized by IAM only
 * (`kms:GenerateRandom`). NumberOfBytes is optional in the model but required by the
 * service, with the message recorded against AWS.
 */
import type { Handler } from '../context.ts'
import { customKeyStore } from '../custom-key-stores.ts'
import { CustomKeyStoreInvalidStateException, UnsupportedOperationException, ValidationException } from '../errors.ts'
import { assertNoRecipient } from '../symmetric.ts'

/** Handler of GenerateRandom. */
export const generateRandom: Handler<'GenerateRandom'> = (ctx, input) => {
  if (input.NumberOfBytes === undefined) throw new ValidationException('NumberOfBytes is required.')
  // Random bytes "from" a CloudHSM key store (node:crypto's CSPRNG, custom-key-stores.ts): the
  // store must be CONNECTED; external key stores have no GenerateRandom (API_GenerateRandom.html).
  if (input.CustomKeyStoreId !== undefined) {
    const store = customKeyStore(ctx.state, input.CustomKeyStoreId)
    if (store.type === 'EXTERNAL_KEY_STORE')
      throw new UnsupportedOperationException('GenerateRandom does not support external key stores.')
    if (store.connectionState !== 'CONNECTED')
      throw new CustomKeyStoreInvalidStateException(
        `Custom key store ${store.id} is ${store.connectionState}; GenerateRandom needs it CONNECTED.`,
      )
  }
  assertNoRecipient(input)
  ctx.core.authorize(ctx, { action: 'kms:GenerateRandom' })
  return { Plaintext: ctx.core.random.bytes(input.NumberOfBytes) }
}
