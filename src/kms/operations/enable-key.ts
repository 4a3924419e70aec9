/**
 * EnableKey (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html): sets
 * a customer managed key's state to Enabled. Allowed while Enabled, Disabled or Unavailable
 * (key-state.html); an Unavailable key (custom key store) keeps its state until it is
 * available again (table detail [12]).
 */
import type { Handler, OpContext } from '../context.ts'
import { assertKeyState } from '../key-state.ts'
import { assertCustomerManaged } from '../key.ts'
import { resolveKeyId } from '../resolve.ts'

/**
 * The steps EnableKey and DisableKey share (`op`): resolve (own account only), authorize
 * `kms:<op>`, customer managed keys only, the key-state table's enable/disable row, then set
 * Enabled or Disabled (an Unavailable key keeps its state).
 */
export function setKeyEnabled(ctx: OpContext, keyIdParam: string, op: 'EnableKey' | 'DisableKey'): void {
  const { key } = resolveKeyId(ctx, keyIdParam, { crossAccount: false })
  ctx.audit.resources.push(key)
  const action = `kms:${op}`
  ctx.core.authorize(ctx, { action, key })
  assertCustomerManaged(key, ctx.caller.principal, action)
  assertKeyState(key, 'enable-disable')
  if (key.state !== 'Unavailable') key.state = op === 'EnableKey' ? 'Enabled' : 'Disabled'
}

/** Handler of EnableKey. */
export const enableKey: Handler<'EnableKey'> = (ctx, input) => {
  setKeyEnabled(ctx, input.KeyId, 'EnableKey')
  return {}
}
