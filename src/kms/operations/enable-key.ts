/**
 * EnableKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html): sets
 * a customer managed key's state to Enabled. Allowed while Enabled, Disabled or Unavailable
 * (key-state.html); an Unavailable key (custom key store) keeps its state until it is
 * available again (table detail [12]).
 */
import type { Handler } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

export const enableKey: Handler<'EnableKey'> = (ctx, input) => {
  const { key } = resolveKeyId(ctx, input.KeyId, { crossAccount: false })
  ctx.audit.resources.push(key)
  ctx.core.authorize(ctx, { action: 'kms:EnableKey', key })
  assertCustomerManaged(key, ctx.caller.principal, 'kms:EnableKey')
  assertKeyState(key, 'enable-disable')
  if (key.state !== 'Unavailable') key.state = 'Enabled'
  return {}
}
