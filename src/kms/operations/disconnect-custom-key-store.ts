/**
 * DisconnectCustomKeyStore (https://docs.aws.amazon.com/kms/latest/APIReference/API_DisconnectCustomKeyStore.html):
 * DISCONNECTED at once; the store's keys become Unavailable (cryptographic calls on them fail
 * with "<key ARN> is unavailable.", key-state.html). A store already DISCONNECTED or
 * DISCONNECTING answers CustomKeyStoreInvalidStateException (the exception's documentation).
 */
import type { Handler } from '../context.ts'
import { CustomKeyStoreInvalidStateException } from '../errors.ts'
import { customKeyStore, disconnect } from '../custom-key-stores.ts'

/** Handler of DisconnectCustomKeyStore. */
export const disconnectCustomKeyStore: Handler<'DisconnectCustomKeyStore'> = (ctx, input) => {
  const store = customKeyStore(ctx.state, input.CustomKeyStoreId)
  ctx.core.authorize(ctx, { action: 'kms:DisconnectCustomKeyStore' })
  if (store.connectionState === 'DISCONNECTED' || store.connectionState === 'DISCONNECTING')
    throw new CustomKeyStoreInvalidStateException(
      `Custom key store ${store.id} is ${store.connectionState}; DisconnectCustomKeyStore is not valid in this state.`,
    )
  disconnect(ctx.state, store)
  return {}
}
