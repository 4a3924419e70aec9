/**
 * UpdateCustomKeyStore (https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateCustomKeyStore.html):
 * a new name, and for CloudHSM stores a new kmsuser password or a related cluster, for
 * external key stores new proxy settings. Only while DISCONNECTED (CustomKeyStoreInvalidStateException,
 * the exception's documentation); the members of the other store type are refused.
 */
import type { Handler } from '../context.ts'
import { CustomKeyStoreInvalidStateException, ValidationException } from '../errors.ts'
import { assertProxyReachable, customKeyStore, keysIn } from '../custom-key-stores.ts'
import { assertUnique, xksSettings } from './create-custom-key-store.ts'

const XKS = [
  'XksProxyUriEndpoint',
  'XksProxyUriPath',
  'XksProxyVpcEndpointServiceName',
  'XksProxyAuthenticationCredential',
  'XksProxyConnectivity',
] as const

/** Handler of UpdateCustomKeyStore. */
export const updateCustomKeyStore: Handler<'UpdateCustomKeyStore'> = (ctx, input) => {
  const store = customKeyStore(ctx.state, input.CustomKeyStoreId)
  ctx.core.authorize(ctx, { action: 'kms:UpdateCustomKeyStore' })
  const wrong =
    store.type === 'AWS_CLOUDHSM'
      ? XKS.filter((m) => input[m] !== undefined)
      : (['KeyStorePassword', 'CloudHsmClusterId'] as const).filter((m) => input[m] !== undefined)
  if (wrong.length > 0)
    throw new ValidationException(`${wrong.join(', ')} is not valid for a custom key store of type ${store.type}.`)
  if (store.connectionState !== 'DISCONNECTED')
    throw new CustomKeyStoreInvalidStateException(
      `Custom key store ${store.id} is ${store.connectionState}; UpdateCustomKeyStore is valid only when it is DISCONNECTED.`,
    )
  assertUnique(ctx.state, input.NewCustomKeyStoreName, input.CloudHsmClusterId, store.id)
  if (store.type === 'EXTERNAL_KEY_STORE' && XKS.some((m) => input[m] !== undefined)) {
    const xks = xksSettings(ctx.state, input, store.xks, store.id)
    // New proxy settings are tested before they are saved (XksProxyUriUnreachableException's doc).
    assertProxyReachable(xks)
    store.xks = xks
  }
  if (input.NewCustomKeyStoreName !== undefined) store.name = input.NewCustomKeyStoreName
  if (input.KeyStorePassword !== undefined) store.keyStorePassword = input.KeyStorePassword
  if (input.CloudHsmClusterId !== undefined) {
    store.cloudHsmClusterId = input.CloudHsmClusterId
    for (const key of keysIn(ctx.state, store)) key.cloudHsmClusterId = input.CloudHsmClusterId
  }
  return {}
}
