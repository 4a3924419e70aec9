/**
 * DeleteCustomKeyStore (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteCustomKeyStore.html):
 * only a DISCONNECTED store (CustomKeyStoreInvalidStateException) that holds no KMS key, not
 * even one pending deletion (CustomKeyStoreHasCMKsException: "delete all KMS keys ... and wait
 * for the waiting period to end").
 */
import type { Handler } from '../context.ts'
import { CustomKeyStoreHasCMKsException, CustomKeyStoreInvalidStateException } from '../errors.ts'
import { customKeyStore, keysIn } from '../custom-key-stores.ts'

/** Handler of DeleteCustomKeyStore. */
export const deleteCustomKeyStore: Handler<'DeleteCustomKeyStore'> = (ctx, input) => {
  const store = customKeyStore(ctx.state, input.CustomKeyStoreId)
  ctx.core.authorize(ctx, { action: 'kms:DeleteCustomKeyStore' })
  if (store.connectionState !== 'DISCONNECTED')
    throw new CustomKeyStoreInvalidStateException(
      `Custom key store ${store.id} is ${store.connectionState}; DeleteCustomKeyStore is valid only when it is DISCONNECTED.`,
    )
  const keys = keysIn(ctx.state, store).length
  if (keys > 0) throw new CustomKeyStoreHasCMKsException(`Custom key store ${store.id} still holds ${keys} KMS key(s).`)
  ctx.state.customKeyStores.delete(store.id)
  return {}
}
