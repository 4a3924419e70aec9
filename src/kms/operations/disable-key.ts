/**
 * DisableKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html):
 * sets a customer managed key's state to Disabled, which stops its use in cryptographic
 * operations (DisabledException) until EnableKey. Allowed while Enabled, Disabled or
 * Unavailable (key-state.html); an Unavailable key keeps its state (table detail [12]).
 */
import type { Handler } from '../context.ts'
import { setKeyEnabled } from './enable-key.ts'

/** Handler of DisableKey. */
export const disableKey: Handler<'DisableKey'> = (ctx, input) => {
  setKeyEnabled(ctx, input.KeyId, 'DisableKey')
  return {}
}
