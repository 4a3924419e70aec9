/**
 * DisableKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html):
 * sets a customer managed key's state to Disabled, which stops its use in cryptographic
 * operations (DisabledException) until EnableKey. Allowed while Enabled, Disabled or
 * Unavailable (key-state.html); an Unavailable key keeps its state (table detail [12]).
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const disableKey: Handler<'DisableKey'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:DisableKey', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:DisableKey')
  assertKeyState(key, 'enable-disable')
  if (key.state !== 'Unavailable') key.state = 'Disabled'
  return {}
}
