/**
 * ConnectCustomKeyStore (https://docs.aws.amazon.com/kms/latest/APIReference/API_ConnectCustomKeyStore.html):
 * CONNECTING, then CONNECTED after `asyncDelays.customKeyStoreConnectMs` of clock time
 * (`custom-key-stores.ts`). A store already CONNECTED or CONNECTING answers success; one
 * DISCONNECTING or FAILED answers CustomKeyStoreInvalidStateException ("To reconnect a custom
 * key store in a FAILED state, disconnect it ... then connect it", the exception's documentation).
 */
import type { Handler } from '../context.ts'
import { CustomKeyStoreInvalidStateException } from '../errors.ts'
import { customKeyStore, startConnecting } from '../custom-key-stores.ts'

/** Handler of ConnectCustomKeyStore. */
export const connectCustomKeyStore: Handler<'ConnectCustomKeyStore'> = (ctx, input) => {
  const store = customKeyStore(ctx.state, input.CustomKeyStoreId)
  ctx.core.authorize(ctx, { action: 'kms:ConnectCustomKeyStore' })
  if (store.connectionState === 'DISCONNECTING' || store.connectionState === 'FAILED')
    throw new CustomKeyStoreInvalidStateException(
      `Custom key store ${store.id} is ${store.connectionState}; ConnectCustomKeyStore is not valid in this state.`,
    )
  startConnecting(ctx.core, ctx.state, store, ctx.now)
  return {}
}
